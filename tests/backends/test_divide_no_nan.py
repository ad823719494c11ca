"""divide_no_nan on two scalars (a metric's total / count, every step) takes a short path: it must give what
the array path gives, in value and dtype, on both engines."""

import numpy
import pytest

import kerasish
from kerasish import ops

CASES = [
    (dtype, divisor)
    for dtype in ("float16", "float32", "float64", "int32")
    for divisor in (2.5, 0.0, -3.0, float("nan"))
    if dtype != "int32" or not numpy.isnan(divisor)
]


@pytest.mark.parametrize(("dtype", "divisor"), CASES)
def test_scalar_operands_match_the_array_path(engine, dtype, divisor):
    integral = dtype == "int32"
    numerator = numpy.array(7 if integral else 7.25, dtype)
    denominator = numpy.array(int(divisor) if integral else divisor, dtype)

    def step():
        return (
            ops.divide_no_nan(numerator, denominator),
            ops.divide_no_nan(numerator.reshape(1), denominator.reshape(1)),
        )

    scalar, array = (x.numpy() for x in kerasish.function(step, engine=engine)())
    assert scalar.shape == ()
    assert scalar.dtype == array.dtype
    numpy.testing.assert_array_equal(scalar, array[0])


def test_scalar_quotient_is_an_array_not_a_numpy_scalar():
    result = ops.divide_no_nan(numpy.array(3.0, "float32"), numpy.array(4.0, "float32"))
    assert isinstance(result.value, numpy.ndarray)
    assert result.value == numpy.float32(0.75)


@pytest.mark.parametrize("numerator", [6.0, 6])
def test_a_python_number_beside_a_scalar_array(engine, numerator):
    denominator = numpy.array(4.0, "float32")

    def step():
        return ops.divide_no_nan(numerator, denominator), ops.divide_no_nan(numerator, denominator.reshape(1))

    scalar, array = (x.numpy() for x in kerasish.function(step, engine=engine)())
    assert scalar.dtype == array.dtype == numpy.float32
    numpy.testing.assert_array_equal(scalar, array[0])
