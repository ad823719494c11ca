"""diff and trapezoid (backends/primitives/differences.py)."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

X = numpy.random.default_rng(0).standard_normal((3, 5)).astype("float32")


@pytest.mark.parametrize("n, axis", [(0, -1), (1, -1), (2, 1), (1, 0), (3, -1)])
def test_diff_matches_keras(n, axis, engine):
    assert_matches_keras("diff", X, n, axis)
    assert_matches_keras("diff", numpy.array([1, 4, 9, 16], "int32"), n)
    numpy.testing.assert_allclose(run(engine, lambda t: ops.diff(t, n, axis), X), numpy.diff(X, n, axis), rtol=1e-6)


def test_diff_refuses_a_negative_order():
    with pytest.raises(ValueError, match="diff: order must be non-negative, received n=-1"):
        ops.diff(X, -1)


@pytest.mark.parametrize("kwargs", [{}, {"dx": 0.5}, {"axis": 0}])
def test_trapezoid_matches_keras(kwargs):
    assert_matches_keras("trapezoid", X, **kwargs)
    assert_matches_keras("trapezoid", numpy.array([[1, 4, 9]], "int32"), **kwargs)


def test_trapezoid_with_sample_points_on_both_engines(engine):
    points = numpy.array([0.0, 0.5, 1.5, 1.7, 3.0], "float32")
    assert_matches_keras("trapezoid", X, points)
    numpy.testing.assert_allclose(run(engine, ops.trapezoid, X, points), numpy.trapezoid(X, points), rtol=1e-5)


def test_trapezoid_refuses_sample_points_of_another_length():
    with pytest.raises(
        ValueError, match=r"trapezoid: x of shape \(4,\) must have y's length 5 along axis 1 \(y shape \(3, 5\)\)"
    ):
        ops.trapezoid(X, numpy.ones(4, "float32"))
