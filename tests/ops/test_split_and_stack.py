"""array_split, hsplit, vsplit, dsplit, hstack, vstack, dstack and append (backends/primitives/split_and_stack.py):
Keras's results, on both engines, and Keras's errors."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

CUBE = numpy.arange(24, dtype="float32").reshape(2, 3, 4)
V = numpy.array([1.0, 2.0, 3.0], "float32")


@pytest.mark.parametrize("sections, axis", [(1, 0), (2, 1), (3, 2), (4, -1), (5, 1)])
def test_array_split_matches_keras(sections, axis):
    assert_matches_keras("array_split", CUBE, sections, axis=axis)


@pytest.mark.parametrize(
    "name, x, sections",
    [("hsplit", CUBE, 3), ("hsplit", V, 3), ("vsplit", CUBE, 2), ("dsplit", CUBE, [1, 3]), ("dsplit", CUBE, 2)],
)
def test_named_splits_match_keras(name, x, sections, engine):
    assert_matches_keras(name, x, sections)
    got = run(engine, lambda t: getattr(ops, name)(t, sections), x)
    for part, expected in zip(got, getattr(numpy, name)(x, sections)):
        numpy.testing.assert_array_equal(part, expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hstack", "vstack", "dstack"])
@pytest.mark.parametrize("xs", [(V, V), (CUBE[0], CUBE[1]), (CUBE, CUBE)], ids=["vectors", "matrices", "cubes"])
def test_stacks_match_keras(name, xs):
    assert_matches_keras(name, list(xs))


@pytest.mark.parametrize("name", ["hstack", "vstack", "dstack"])
def test_stacks_of_one_array_take_its_rows_as_keras(name):
    assert_matches_keras(name, CUBE)


@pytest.mark.parametrize("axis", [None, 0, 2])
def test_append_matches_keras(axis):
    assert_matches_keras("append", CUBE, CUBE if axis is not None else V, axis=axis)


def test_errors_as_keras():
    with pytest.raises(TypeError, match="array_split: Argument `indices_or_sections` must be of type `int`"):
        ops.array_split(CUBE, [1, 2])
    with pytest.raises(ValueError, match="array_split: Argument `indices_or_sections` must be a positive integer"):
        ops.array_split(CUBE, 0)
    with pytest.raises(ValueError, match="vsplit: `vsplit` only works on arrays of at least 2 dimensions"):
        ops.vsplit(V, 3)
    with pytest.raises(ValueError, match="dsplit: `dsplit` only works on arrays of at least 3 dimensions"):
        ops.dsplit(CUBE[0], 2)
