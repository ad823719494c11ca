"""searchsorted, argpartition, nonzero, unique, isin and unravel_index (backends/primitives/searching.py): Keras's
values and dtypes, data-dependent lengths on the static engine, and errors that name the op."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

SEQUENCE = numpy.array([-1.0, 0.0, 0.5, 2.0], "float32")
VALUES = numpy.array([[0.5, -3.0], [2.0, 0.2]], "float32")
INTS = numpy.array([[3, 1, 3], [2, 1, 7]], "int32")


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_matches_keras(side, engine):
    assert_matches_keras("searchsorted", SEQUENCE, VALUES, side=side)
    got = run(engine, lambda s, v: ops.searchsorted(s, v, side=side), SEQUENCE, VALUES)
    numpy.testing.assert_array_equal(got, numpy.searchsorted(SEQUENCE, VALUES, side=side))


def test_searchsorted_needs_a_vector_and_a_side():
    with pytest.raises(ValueError, match="searchsorted: `searchsorted` only supports 1-D sorted sequences"):
        ops.searchsorted(VALUES, SEQUENCE)
    with pytest.raises(ValueError, match="searchsorted: `side` must be 'left' or 'right'"):
        ops.searchsorted(SEQUENCE, VALUES, side="middle")


@pytest.mark.parametrize("kth, axis", [(0, -1), (2, -1), (1, 0)])
def test_argpartition_partitions_as_keras(kth, axis, engine):
    x = numpy.random.default_rng(0).permutation(12).reshape(3, 4).astype("float32")
    indices = run(engine, lambda t: ops.argpartition(t, kth, axis=axis), x)
    assert indices.dtype == numpy.int32
    values = numpy.take_along_axis(x, indices, axis=axis)
    kth_values = numpy.take(numpy.sort(x, axis=axis), [kth], axis=axis)
    numpy.testing.assert_array_equal(numpy.take(values, [kth], axis=axis), kth_values)
    before = numpy.moveaxis(values, axis, -1)[..., :kth]
    after = numpy.moveaxis(values, axis, -1)[..., kth + 1 :]
    kth_last = numpy.moveaxis(kth_values, axis, -1)
    assert (before <= kth_last).all() and (after >= kth_last).all()


def test_argpartition_refuses_an_out_of_range_kth():
    with pytest.raises(ValueError, match=r"argpartition: kth=5 is out of bounds for axis -1 of size 3"):
        ops.argpartition(INTS, 5)


@pytest.mark.slow
def test_nonzero_matches_keras_on_both_engines(engine):
    assert_matches_keras("nonzero", INTS > 2)
    got = run(engine, ops.nonzero, INTS - 3)
    for axis, expected in zip(got, numpy.nonzero(INTS - 3)):
        numpy.testing.assert_array_equal(axis, expected)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"return_index": True, "return_counts": True},
        {"return_inverse": True},
        {"size": 6, "fill_value": -1, "return_counts": True},
        {"size": 2, "return_index": True},
        {"axis": 0, "return_inverse": True},
    ],
)
def test_unique_matches_keras(kwargs):
    assert_matches_keras("unique", INTS, **kwargs)


def test_unique_on_the_static_engine(engine):
    values, counts = run(engine, lambda t: ops.unique(t, return_counts=True), INTS)
    numpy.testing.assert_array_equal(values, [1, 2, 3, 7])
    numpy.testing.assert_array_equal(counts, [2, 1, 2, 1])


def test_unique_refuses_unsorted_results_and_bad_sizes():
    with pytest.raises(ValueError, match="unique: kerasish returns the unique values sorted"):
        ops.unique(INTS, sorted=False)
    with pytest.raises(ValueError, match="unique: size must be non-negative, received size=-1"):
        ops.unique(INTS, size=-1)


@pytest.mark.parametrize("kwargs", [{}, {"invert": True}, {"assume_unique": True}])
def test_isin_matches_keras(kwargs, engine):
    members = numpy.array([1, 7, 9], "int32")
    assert_matches_keras("isin", INTS, members, **kwargs)
    numpy.testing.assert_array_equal(
        run(engine, lambda a, b: ops.isin(a, b, **kwargs), INTS, members), numpy.isin(INTS, members, **kwargs)
    )


def test_unravel_index_matches_keras(engine):
    indices = numpy.array([0, 5, 11, 7], "int32")
    assert_matches_keras("unravel_index", indices, (3, 4))
    for got, expected in zip(
        run(engine, lambda i: ops.unravel_index(i, (3, 4)), indices), numpy.unravel_index(indices, (3, 4))
    ):
        numpy.testing.assert_array_equal(got, expected)


def test_unravel_index_refuses_an_index_past_the_end_on_both_engines(engine):
    with pytest.raises(ValueError, match=r"unravel_index: index 12 is out of bounds for an array of shape \(3, 4\)"):
        run(engine, lambda i: ops.unravel_index(i, (3, 4)), numpy.array([1, 12], "int32"))
