"""numpy's floating-point ops (backends/primitives/floating_point.py): Keras's values and dtypes, NaN handling of
fmax/fmin, ldexp's integer exponent, i0's gradient (through i1) to second order."""

import numpy
import pytest

from kerasish import ops
from kerasish.backends.dynamic import GradientTape
from kerasish.utils import gradcheck

from .engines import gradients, run
from .keras_parity import assert_matches_keras

X = numpy.array([-2.5, -0.3, 0.0, 0.4, 3.0], "float32")
Y = numpy.array([1.5, numpy.nan, -1.0, 0.4, 2.0], "float32")
INTS = numpy.array([-3, 0, 2, 7], "int32")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["exp2", "cbrt", "fabs", "absolute", "trunc", "signbit", "i0", "isneginf", "isposinf"])
def test_unary_ops_match_keras(name):
    assert_matches_keras(
        name, numpy.array([-numpy.inf, -2.5, -0.3, 0.0, 0.4, 3.0, numpy.inf], "float32") if name.startswith("is") else X
    )
    assert_matches_keras(name, INTS, rtol=1e-5, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fmax", "fmin", "fmod", "heaviside", "logaddexp2", "nextafter", "isclose"])
def test_binary_ops_match_keras(name):
    second = numpy.array([1.5, -0.3, -1.0, 0.4, 2.0], "float32")
    assert_matches_keras(name, X, second)
    if name not in ("logaddexp2", "nextafter"):
        assert_matches_keras(name, INTS, numpy.array([2, 5, -2, 7], "int32"))


def test_fmax_and_fmin_ignore_nans_and_give_the_number_its_gradient(engine):
    numpy.testing.assert_array_equal(run(engine, ops.fmax, X, Y), numpy.fmax(X, Y))
    numpy.testing.assert_array_equal(run(engine, ops.fmin, Y, X), numpy.fmin(Y, X))
    (to_x, to_y), direction = gradients(engine, ops.fmax, X, Y)
    numpy.testing.assert_array_equal(to_x, direction * [0, 1, 1, 1, 1])  # the tie at 0.4 goes to the first argument
    numpy.testing.assert_array_equal(to_y, direction * [1, 0, 0, 0, 0])


def test_ldexp_matches_keras_and_needs_an_integer_exponent():
    assert_matches_keras("ldexp", X, numpy.array([1, -2, 3, 0, 4], "int32"))
    with pytest.raises(TypeError, match="ldexp: the exponent x2 must be an integer type, received dtype float32"):
        ops.ldexp(X, X)


def test_isclose_and_allclose_take_keras_tolerances():
    assert_matches_keras("isclose", X, X + 1e-3, rtol=0.0, atol=1e-2)
    assert_matches_keras("isclose", Y, Y, equal_nan=True)
    assert_matches_keras("allclose", X, X + 1e-3, atol=1e-2)
    assert not bool(ops.allclose(X, X + 1e-3))


def test_i0_second_derivative_matches_finite_differences():
    """The gradient of i0's gradient runs i1's own rule (d/dx i1 = i0 - i1 / x, 1/2 at 0)."""

    def i0_gradient(x):
        with GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(ops.i0(x))
        return tape.gradient(total, x)

    assert gradcheck(i0_gradient, [numpy.array([-3.0, -0.7, 0.0, 0.5, 2.0, 5.0])])


@pytest.mark.parametrize("name", ["floor", "ceil"])
@pytest.mark.parametrize("x", [numpy.array([-2, 0, 3], "int32"), numpy.array([True, False])], ids=["int32", "bool"])
def test_floor_and_ceil_of_integers_and_bools_are_floatx(name, x, engine):
    got = run(engine, getattr(ops, name), x)
    assert got.dtype == numpy.float32
    numpy.testing.assert_array_equal(got, x.astype("float32"))
    assert_matches_keras(name, x)
