"""fliplr, flipud and rot90 (backends/primitives/flips_and_rotations.py)."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

CUBE = numpy.arange(24, dtype="float32").reshape(2, 3, 4)


@pytest.mark.slow
@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("axes", [(0, 1), (1, 2), (2, 0), (-1, -2)])
def test_rot90_matches_keras(k, axes):
    assert_matches_keras("rot90", CUBE, k, axes)


def test_rot90_on_both_engines(engine):
    numpy.testing.assert_array_equal(run(engine, lambda t: ops.rot90(t, 1, (1, 2)), CUBE), numpy.rot90(CUBE, 1, (1, 2)))


@pytest.mark.parametrize("name", ["fliplr", "flipud"])
def test_flips_match_keras(name):
    assert_matches_keras(name, CUBE)
    assert_matches_keras(name, CUBE[0])


def test_errors_as_keras():
    with pytest.raises(ValueError, match="rot90: Input array must have at least 2 dimensions. Received: array.ndim=1"):
        ops.rot90(CUBE[0, 0])
    with pytest.raises(ValueError, match=r"rot90: `axes` must be different. Received: axes=\(1, -2\)"):
        ops.rot90(CUBE, 1, (1, -2))
    with pytest.raises(ValueError, match=r"fliplr: x must have rank 2 or more, received x of shape \(4,\)"):
        ops.fliplr(CUBE[0, 0])
