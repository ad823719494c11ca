"""numpy's floating-point ops as Keras's: exp2, logaddexp2, cbrt, fabs/absolute, trunc, fmax/fmin (NaN-ignoring),
fmod, heaviside, ldexp, nextafter, i0 (with the i1 its gradient needs), signbit, isneginf, isposinf, isclose
and allclose.

Gradients: fmax and fmin give a tie (and a NaN on the other side) to their first argument, as maximum does;
fmod's is mod's with a truncated quotient; trunc, heaviside, nextafter and the tests have none.
"""

import math

import numpy

from .. import config
from .elementwise import arithmetic_dtype, binary, float_result, float_unary, predicate, unary
from .reduction import all as all_of
from .registry import broadcast_shapes, dtype_of, export, ops, primitive

_exp2 = float_unary(
    "exp2", lambda xp, x: xp.exp2(x), lambda g, inputs, out, needs: (g * out * math.log(2),), False, ("output",)
)
_cbrt = float_unary(
    "cbrt", lambda xp, x: xp.cbrt(x), lambda g, inputs, out, needs: (g / (3 * ops.square(out)),), False, ("output",)
)
_trunc = unary("trunc", lambda xp, x: xp.trunc(x) if x.dtype.kind in "fc" else x, public=False)
_signbit = predicate("signbit", "signbit", public=False)
_isneginf = predicate("isneginf", lambda xp, x: xp.isinf(x) & (x < 0), public=False)
_isposinf = predicate("isposinf", lambda xp, x: xp.isinf(x) & (x > 0), public=False)


def float_forward(function):
    """The forward of a float op of two inputs: integers compute in floatx, floats keep their dtype."""

    def forward(xp, a, b):
        dtype = float_result(dtype_of(a), dtype_of(b))
        return getattr(xp, function)(xp.asarray(a, dtype), xp.asarray(b, dtype))

    return forward


_logaddexp2 = binary(
    "logaddexp2",
    None,
    lambda g, inputs, out, needs: (
        g * ops.exp2(inputs[0] - out) if needs[0] else None,
        g * ops.exp2(inputs[1] - out) if needs[1] else None,
    ),
    float_result,
    forward=float_forward("logaddexp2"),
    public=False,
)
_nextafter = binary("nextafter", None, None, float_result, forward=float_forward("nextafter"), public=False)


def _first_wins(g, inputs, out, needs):
    """Where the result is the first input (ties and a NaN second input included) the gradient goes to it."""
    first = ops.logical_or(ops.equal(out, inputs[0]), ops.isnan(inputs[1]))
    return (ops.where(first, g, 0.0) if needs[0] else None, ops.where(first, 0.0, g) if needs[1] else None)


_fmax = binary("fmax", "fmax", _first_wins, public=False)
_fmin = binary("fmin", "fmin", _first_wins, public=False)
_fmod = binary(
    "fmod",
    "fmod",
    lambda g, inputs, out, needs: (g, -g * ops.trunc(ops.divide(*inputs)) if needs[1] else None),
    public=False,
)
_heaviside = binary("heaviside", None, None, float_result, forward=float_forward("heaviside"), public=False)


def _ldexp_infer(shapes, dtypes):
    if numpy.dtype(arithmetic_dtype(dtypes[1])).kind not in "iu":
        raise TypeError(f"ldexp: the exponent x2 must be an integer type, received dtype {dtypes[1]}")
    return broadcast_shapes("ldexp", *shapes), float_result(dtypes[0], float)


def _ldexp_forward(xp, mantissa, exponent):
    dtype = float_result(dtype_of(mantissa), float)
    return xp.ldexp(xp.asarray(mantissa, dtype), exponent).astype(dtype, copy=False)


_ldexp = primitive(
    "ldexp",
    _ldexp_forward,
    lambda g, inputs, out, needs: (g * ops.ldexp(1.0, inputs[1]), None),
    _ldexp_infer,
    saves=(1,),
)


def _bessel_i1(xp, x):
    """The modified Bessel function I1 by the polynomials of Abramowitz and Stegun 9.8.3 and 9.8.4 (relative
    error below 6e-7); numpy has no i1 of its own."""
    size = xp.abs(x)
    t = size / 3.75
    t2 = t * t
    small = size * (
        0.5
        + t2
        * (0.87890594 + t2 * (0.51498869 + t2 * (0.15084934 + t2 * (0.02658733 + t2 * (0.00301532 + t2 * 0.00032411)))))
    )
    u = 3.75 / xp.maximum(size, 3.75)
    poly = -0.01031555 + u * (0.02282967 + u * (-0.02895312 + u * (0.01787654 + u * -0.00420059)))
    poly = 0.39894228 + u * (-0.03988024 + u * (-0.00362018 + u * (0.00163801 + u * poly)))
    large = poly * xp.exp(size) / xp.sqrt(xp.maximum(size, 3.75))
    return xp.sign(x) * xp.where(size < 3.75, small, large)


def _i1_vjp(g, inputs, out, needs):
    """I1'(x) = I0(x) - I1(x) / x, which is 1/2 at 0."""
    x = inputs[0]
    zero = ops.equal(x, 0)
    return (g * ops.where(zero, 0.5, ops.i0(x) - out / ops.where(zero, 1.0, x)),)


_i1 = float_unary("i1", _bessel_i1, _i1_vjp, False)
_i0 = float_unary("i0", lambda xp, x: xp.i0(x), lambda g, inputs, out, needs: (g * _i1(inputs[0]),), False)


def _isclose_infer(shapes, dtypes, rtol, atol, equal_nan):
    return broadcast_shapes("isclose", *shapes), numpy.dtype(bool)


_isclose = primitive(
    "isclose",
    lambda xp, a, b, rtol, atol, equal_nan: xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan),
    None,
    _isclose_infer,
)


@export
def exp2(x):
    return _exp2(x)


@export
def logaddexp2(x1, x2):
    return _logaddexp2(x1, x2)


@export
def cbrt(x):
    return _cbrt(x)


@export
def fabs(x):
    """|x| as a float: integers become floatx."""
    if numpy.dtype(arithmetic_dtype(dtype_of(x))).kind not in "fc":
        x = ops.cast(x, config.floatx())
    return ops.abs(x)


@export
def absolute(x):
    return ops.abs(x)


@export
def trunc(x):
    return _trunc(x)


@export
def signbit(x):
    return _signbit(x)


@export
def isneginf(x):
    return _isneginf(x)


@export
def isposinf(x):
    return _isposinf(x)


@export
def fmax(x1, x2):
    return _fmax(x1, x2)


@export
def fmin(x1, x2):
    return _fmin(x1, x2)


@export
def fmod(x1, x2):
    return _fmod(x1, x2)


@export
def heaviside(x1, x2):
    return _heaviside(x1, x2)


@export
def ldexp(x1, x2):
    return _ldexp(x1, x2)


@export
def nextafter(x1, x2):
    return _nextafter(x1, x2)


@export
def i0(x):
    return _i0(x)


@export
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return _isclose(x1, x2, rtol=float(rtol), atol=float(atol), equal_nan=bool(equal_nan))


@export
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return all_of(isclose(x1, x2, rtol, atol, equal_nan))
