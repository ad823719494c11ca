"""real, imag, conj, angle and isreal (backends/primitives/complex_parts.py): Keras's values and dtypes on real and
complex tensors, and the gradients of the real-valued parts."""

import numpy
import pytest

from kerasish import ops

from .engines import assert_gradients_match_finite_differences, gradients, run
from .keras_parity import assert_matches_keras

REALS = numpy.array([-1.5, 0.0, 2.0], "float32")
COMPLEX = numpy.array([1 + 2j, -0.5j, -3 + 0j], "complex64")


@pytest.mark.parametrize("name", ["real", "imag", "conj", "conjugate", "angle", "isreal"])
@pytest.mark.parametrize("x", [REALS, COMPLEX, numpy.array([-2, 3], "int32")], ids=["float", "complex", "int"])
def test_parts_match_keras(name, x):
    assert_matches_keras(name, x)


def test_real_and_conj_pass_the_gradient_and_imag_of_a_real_tensor_has_none(engine):
    (grad,), direction = gradients(engine, lambda x: ops.real(x) + ops.conj(x), REALS.astype("float64"))
    numpy.testing.assert_allclose(grad, 2 * direction)


@pytest.mark.parametrize("name", ["real", "imag", "angle", "isreal"])
def test_both_engines_agree_on_complex_inputs(name, engine):
    numpy.testing.assert_allclose(run(engine, getattr(ops, name), COMPLEX), getattr(numpy, name)(COMPLEX), rtol=1e-6)


@pytest.mark.parametrize("name", ["angle", "absolute"])
def test_angle_and_absolute_of_a_complex_tensor_have_its_gradient(name, engine):
    # Keras (JAX) differentiates both through z = r * exp(i t): d angle/dt = 1 and d|z|/dr = sign(r).
    assert_gradients_match_finite_differences(
        engine, lambda r, t: getattr(ops, name)(ops.polar(r, t)), [0.7, -1.3, 2.0], [0.4, 2.9, -2.0]
    )
