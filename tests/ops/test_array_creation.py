"""array, empty, empty_like, tri, logspace, geomspace, meshgrid, vander and the window functions
(backends/primitives/array_creation.py): Keras's values, shapes and dtypes."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

V = numpy.array([0.5, -1.0, 2.0], "float32")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
@pytest.mark.parametrize("size", [0, 1, 2, 7])
def test_windows_match_keras(name, size):
    assert_matches_keras(name, size)


def test_kaiser_matches_keras():
    assert_matches_keras("kaiser", 6, 4.5, rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, kwargs",
    [((3,), {}), ((3, 5, 1), {}), ((4, 2, -1), {"dtype": "int32"}), ((2,), {"M": 3, "k": 2, "dtype": "bool"})],
)
def test_tri_matches_keras(args, kwargs):
    assert_matches_keras("tri", *args, **kwargs)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("logspace", {"num": 5}),
        ("logspace", {"num": 4, "endpoint": False, "base": 2}),
        ("geomspace", {"num": 5}),
        ("geomspace", {"num": 3, "endpoint": False}),
    ],
)
def test_ranges_match_keras(name, kwargs):
    assert_matches_keras(name, 1.0, 3.0, rtol=1e-5, **kwargs)


def test_ranges_of_arrays_along_an_axis():
    assert_matches_keras("logspace", numpy.array([0.0, 1.0]), numpy.array([2.0, 3.0]), num=3, axis=1, rtol=1e-5)
    with pytest.raises(ValueError, match="geomspace: start and stop must be non-zero"):
        ops.geomspace(0.0, 1.0)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_matches_keras_on_both_engines(indexing, engine):
    a, b, c = V, numpy.array([1.0, 2.0], "float32"), numpy.array([3.0, 4.0, 5.0, 6.0], "float32")
    assert_matches_keras("meshgrid", a, b, c, indexing=indexing)
    got = run(engine, lambda x, y: ops.meshgrid(x, y, indexing=indexing), a, b)
    for grid, expected in zip(got, numpy.meshgrid(a, b, indexing=indexing)):
        numpy.testing.assert_array_equal(grid, expected)


def test_meshgrid_refuses_an_unknown_indexing():
    with pytest.raises(ValueError, match="meshgrid: Valid values for `indexing` are 'xy' and 'ij'"):
        ops.meshgrid(V, V, indexing="yx")


@pytest.mark.parametrize("kwargs", [{}, {"N": 4}, {"N": 2, "increasing": True}])
def test_vander_matches_keras(kwargs):
    assert_matches_keras("vander", V, **kwargs)
    assert_matches_keras("vander", numpy.array([1, 2, 3], "int32"), **kwargs)


def test_vander_needs_a_vector():
    with pytest.raises(ValueError, match=r"vander: x must be a 1-D tensor, received x of shape \(1, 3\)"):
        ops.vander(V[None])


def test_array_empty_and_empty_like_have_keras_shapes_and_dtypes():
    assert_matches_keras("array", [[1, 2], [3, 4]])
    assert_matches_keras("array", V, dtype="float16")
    for ours, theirs in [
        (ops.empty((2, 3)), numpy.zeros((2, 3), "float32")),
        (ops.empty((2,), "int32"), numpy.zeros(2, "int32")),
        (ops.empty_like(V), numpy.zeros(3, "float32")),
        (ops.empty_like(V, "int32"), numpy.zeros(3, "int32")),
    ]:
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
