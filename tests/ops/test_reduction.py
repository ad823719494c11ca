"""amax and amin (backends/primitives/reduction.py): numpy's names for max and min, without `initial`."""

import numpy
import pytest

from .keras_parity import assert_matches_keras

X = numpy.random.default_rng(0).standard_normal((3, 4)).astype("float32")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": (0, 1), "keepdims": True}])
def test_amax_and_amin_match_keras(name, kwargs):
    assert_matches_keras(name, X, **kwargs)
    assert_matches_keras(name, numpy.array([[3, 1], [2, 7]], "int32"), **kwargs)
