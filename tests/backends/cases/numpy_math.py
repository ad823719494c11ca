"""Cases for the numpy-style elementwise primitives: trigonometric, floating-point, bitwise, complex parts and
conversions (backends/primitives/trigonometric.py, floating_point.py, bitwise.py, complex_parts.py,
conversion.py). Gradient inputs stay inside each function's domain and away from its kinks."""

import numpy

from kerasish import ops

from . import Case, randn

UNIT = numpy.array([-0.8, -0.3, 0.1, 0.45, 0.7])  # inside (-1, 1)
ABOVE_ONE = numpy.array([1.2, 1.7, 2.5, 4.0])
INTS = numpy.array([[12, 5, 7], [-9, 30, 4]], dtype="int32")
SMALL = numpy.array([[1, 2, 3], [4, 0, 2]], dtype="int32")
A, B = randn(2, 3), randn(3, seed=1)

TRIGONOMETRIC = [
    Case("tan", ops.tan, [UNIT], numpy.tan),
    Case("sinh", ops.sinh, [randn(5)], numpy.sinh),
    Case("cosh", ops.cosh, [randn(5)], numpy.cosh),
    Case("arcsin", ops.arcsin, [UNIT], numpy.arcsin),
    Case("arccos", ops.arccos, [UNIT], numpy.arccos),
    Case("arctan", ops.arctan, [randn(5) * 2], numpy.arctan),
    Case("arcsinh", ops.arcsinh, [randn(5) * 2], numpy.arcsinh),
    Case("arccosh", ops.arccosh, [ABOVE_ONE], numpy.arccosh),
    Case("arctanh", ops.arctanh, [UNIT], numpy.arctanh),
    Case("tan", ops.tan, [SMALL], lambda x: numpy.tan(x).astype("float32"), grad=False, id="tan-integers-floatx"),
    Case("sinc", ops.sinc, [numpy.array([-1.7, -0.4, 0.0, 0.3, 2.2])], numpy.sinc),
    Case("arctan2", ops.arctan2, [A, B], numpy.arctan2),
    Case("hypot", ops.hypot, [A, B], numpy.hypot),
    Case("multiply", ops.deg2rad, [randn(4) * 90], numpy.deg2rad, id="deg2rad"),
    Case("multiply", ops.rad2deg, [randn(4)], numpy.rad2deg, id="rad2deg", atol=1e-4),
]

FLOATING_POINT = [
    Case("exp2", ops.exp2, [randn(5)], numpy.exp2),
    Case("logaddexp2", ops.logaddexp2, [A * 4, B], numpy.logaddexp2),
    Case("cbrt", ops.cbrt, [numpy.array([-8.0, -0.7, 0.4, 3.0])], numpy.cbrt),
    Case("abs", ops.fabs, [SMALL - 2], lambda x: numpy.fabs(x).astype("float32"), grad=False, id="fabs-integers"),
    Case("abs", ops.absolute, [randn(5)], numpy.absolute, id="absolute"),
    Case("trunc", ops.trunc, [randn(6) * 3], numpy.trunc, grad=False),
    Case("trunc", ops.trunc, [INTS], lambda x: x, grad=False, id="trunc-integers-stay"),
    Case("signbit", ops.signbit, [numpy.array([-1.5, -0.0, 0.0, 2.0])], numpy.signbit, grad=False),
    Case("isneginf", ops.isneginf, [numpy.array([-numpy.inf, numpy.inf, numpy.nan, -1.0])], numpy.isneginf),
    Case("isposinf", ops.isposinf, [numpy.array([-numpy.inf, numpy.inf, numpy.nan, 1.0])], numpy.isposinf),
    Case(
        "fmax",
        ops.fmax,
        [numpy.array([1.0, numpy.nan, -2.0, 0.5]), numpy.array([0.3, 2.0, numpy.nan, 3.0])],
        numpy.fmax,
        grad=False,
        id="fmax-nan",
    ),
    Case("fmax", ops.fmax, [A, B], numpy.fmax),
    Case("fmin", ops.fmin, [A, B], numpy.fmin),
    Case(
        "fmod", ops.fmod, [numpy.array([2.3, -1.7, 5.2]), numpy.array([1.1, 0.9, -2.0])], numpy.fmod, covers=("trunc",)
    ),
    Case(
        "heaviside",
        lambda x: ops.heaviside(x, 0.5),
        [numpy.array([-1.0, 0.0, 2.0])],
        lambda x: numpy.heaviside(x, 0.5),
        grad=False,
    ),
    Case("ldexp", ops.ldexp, [A, SMALL], lambda a, e: numpy.ldexp(a, e)),
    Case("nextafter", ops.nextafter, [A, B], lambda a, b: numpy.nextafter(a, b), grad=False),
    Case("i0", ops.i0, [numpy.array([-5.0, -1.3, 0.0, 0.6, 2.0, 4.5])], numpy.i0, covers=("i1",)),
    Case("isclose", ops.isclose, [A, A + numpy.array([1e-9, 1e-3, 0.0])], numpy.isclose),
    Case(
        "isclose",
        lambda a, b: ops.allclose(a, b, atol=1e-2),
        [A, A + 1e-3],
        lambda a, b: numpy.allclose(a, b, atol=1e-2),
        id="allclose",
        covers=("all",),
    ),
]

BITWISE = [
    Case("bitwise_and", ops.bitwise_and, [INTS, numpy.array([3, 6, 1], "int32")], numpy.bitwise_and),
    Case("bitwise_or", ops.bitwise_or, [INTS, numpy.array([3, 6, 1], "int32")], numpy.bitwise_or),
    Case("bitwise_xor", ops.bitwise_xor, [INTS, numpy.array([3, 6, 1], "int32")], numpy.bitwise_xor),
    Case("bitwise_not", ops.bitwise_not, [INTS], numpy.invert),
    Case("bitwise_not", ops.bitwise_invert, [numpy.array([True, False])], numpy.invert, id="bitwise_invert-bool"),
    Case("left_shift", ops.left_shift, [INTS, SMALL], numpy.left_shift),
    Case("left_shift", ops.bitwise_left_shift, [INTS, SMALL], numpy.left_shift, id="bitwise_left_shift"),
    Case("right_shift", ops.right_shift, [INTS, SMALL], numpy.right_shift),
    Case("right_shift", ops.bitwise_right_shift, [INTS, SMALL], numpy.right_shift, id="bitwise_right_shift"),
    Case("gcd", ops.gcd, [INTS, numpy.array([4, 15, 21], "int32")], numpy.gcd),
    Case("lcm", ops.lcm, [INTS, numpy.array([4, 15, 21], "int32")], numpy.lcm),
]

COMPLEX = numpy.array([1 + 2j, -0.5j, -3 + 0j]).astype("complex64")
COMPLEX_PARTS = [
    Case("real", ops.real, [randn(4)], numpy.real),
    Case("real", ops.real, [COMPLEX], numpy.real, grad=False, id="real-complex"),
    Case("imag", ops.imag, [COMPLEX], numpy.imag, grad=False),
    Case("imag", lambda x: ops.imag(x) + x, [randn(4)], lambda x: x, id="imag-of-real-is-zero"),
    Case("conjugate", ops.conj, [randn(4)], numpy.conj),
    Case("conjugate", ops.conjugate, [COMPLEX], numpy.conjugate, grad=False, id="conjugate-complex"),
    Case("angle", ops.angle, [COMPLEX], numpy.angle, grad=False),
    Case("angle", ops.angle, [SMALL - 2], lambda x: numpy.angle(x).astype("float32"), grad=False, id="angle-ints"),
    Case("isreal", ops.isreal, [COMPLEX], numpy.isreal),
]

CONVERSION = [
    Case("copy", ops.copy, [randn(2, 3)], numpy.copy),
    Case(
        "view",
        lambda x: ops.view(x, "int32"),
        [numpy.array([1.0, -2.5], "float32")],
        lambda x: x.view("int32"),
        grad=False,
    ),
    Case(
        "view",
        lambda x: ops.view(x, "int32"),
        [numpy.array([[1, 2, 3, 4]], "int16")],
        lambda x: x.view("int32"),
        grad=False,
        id="view-narrower-to-wider",
    ),
    Case(
        "cast",
        lambda x: ops.saturate_cast(x, "uint8"),
        [numpy.array([-3.5, 7.2, 300.0])],
        lambda x: numpy.clip(x, 0, 255).astype("uint8"),
        grad=False,
        id="saturate_cast",
        covers=("minimum", "maximum"),
    ),
    Case("cast", lambda x: ops.saturate_cast(x, ops.dtype(x)), [randn(3)], lambda x: x, id="saturate_cast-grad"),
]

CASES = TRIGONOMETRIC + FLOATING_POINT + BITWISE + COMPLEX_PARTS + CONVERSION
