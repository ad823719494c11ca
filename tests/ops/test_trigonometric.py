"""Trigonometric and hyperbolic ops (backends/primitives/trigonometric.py): Keras's values and dtypes, integer
inputs in floatx, gradients at the edges of their domains. Forward against numpy, finite-difference gradients
and static-against-dynamic runs are the Cases in tests/backends/cases/numpy_math.py."""

import numpy
import pytest

from kerasish import ops
from kerasish.backends.dynamic import Tensor

from .engines import gradients
from .keras_parity import assert_matches_keras

UNARY = ["tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arctanh", "sinc", "deg2rad", "rad2deg"]
X = numpy.array([-0.9, -0.25, 0.0, 0.3, 0.75], "float32")
INTS = numpy.array([-2, 0, 1, 3], "int32")


@pytest.mark.slow
@pytest.mark.parametrize("name", UNARY + ["arccosh"])
def test_unary_ops_match_keras(name):
    assert_matches_keras(name, X + 2.0 if name == "arccosh" else X)


@pytest.mark.parametrize("name", ["tan", "sinh", "cosh", "arctan", "arcsinh", "sinc", "deg2rad", "rad2deg"])
def test_integer_inputs_compute_in_floatx_as_in_keras(name):
    assert_matches_keras(name, INTS, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["arctan2", "hypot"])
def test_binary_ops_match_keras(name):
    assert_matches_keras(name, X, numpy.array([0.4, -1.0, 2.0, -0.3, 0.0], "float32"))
    assert_matches_keras(name, INTS, numpy.array([3, -1, 0, 2], "int32"))


def test_sinc_gradient_is_zero_at_zero(engine):
    (grad,), direction = gradients(engine, ops.sinc, numpy.array([0.0, 0.5]))
    numpy.testing.assert_allclose(grad, direction * [0.0, (numpy.cos(numpy.pi * 0.5) - numpy.sinc(0.5)) / 0.5])


def test_float64_stays_float64():
    assert ops.arcsin(Tensor(numpy.array([0.5]))).dtype == numpy.float64
    assert ops.arctan2(Tensor(numpy.array([0.5])), 2).dtype == numpy.float64
