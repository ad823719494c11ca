"""Elementwise primitives: arithmetic, activations, comparisons, logic. Broadcasting follows numpy.

dtypes follow Keras: float ops (exp, sqrt, sigmoid, ...) compute integer inputs in floatx, integer
arithmetic stays integer, and float64 only comes out of float64 in (NEP 50 alone would make
`int_array / 2` or `int_array * 0.5` float64).

Gradient conventions at kinks: relu and abs give 0 at 0; maximum/minimum give a tie to their first
argument (as TensorFlow does).
"""

import math

import numpy

from .. import config
from .registry import broadcast_shapes, export, ops, primitive, result_dtype

_FLOAT64 = numpy.dtype("float64")


# ----- dtypes -------------------------------------------------------------------------------


def float_dtype(dtype):
    """The dtype of a float op's result: float inputs keep theirs, integers, bools and lone Python
    numbers (weak types, which the engines turn into arrays) compute in floatx."""
    if isinstance(dtype, type) or numpy.dtype(dtype).kind not in "fc":
        return numpy.dtype(config.floatx())
    return numpy.dtype(dtype)


def floating(x):
    """The input of a float op: integer and bool arrays become floatx, float arrays stay as they are."""
    return x if x.dtype.kind in "fc" else x.astype(config.floatx())


def arithmetic_dtype(*dtypes):
    """numpy's result dtype, except that float64 comes only out of a float64 input."""
    dtype = result_dtype(*dtypes)
    if dtype == _FLOAT64 and not any(d == _FLOAT64 for d in dtypes if not isinstance(d, type)):
        return numpy.dtype(config.floatx())
    return dtype


def keep_float32(result, *inputs):
    """The forward twin of `arithmetic_dtype`: a float64 result of no float64 input becomes floatx."""
    if result.dtype == _FLOAT64 and not any(x.dtype == _FLOAT64 for x in inputs if hasattr(x, "dtype")):
        return result.astype(config.floatx())
    return result


def float_infer(shapes, dtypes, **attrs):
    return tuple(shapes[0]), float_dtype(dtypes[0])


def same_infer(shapes, dtypes, **attrs):
    return tuple(shapes[0]), arithmetic_dtype(dtypes[0])


def _broadcast_infer(name, dtype_rule):
    def infer(shapes, dtypes, **attrs):
        return broadcast_shapes(name, *shapes), dtype_rule(*dtypes)

    return infer


def float_result(*dtypes):
    """The dtype of a float op of several inputs (divide of integers is floatx)."""
    return float_dtype(arithmetic_dtype(*dtypes))


def _bool(*dtypes):
    return numpy.dtype(bool)


# ----- constructors -------------------------------------------------------------------------


def unary(name, forward, vjp=None, infer=same_infer, public=True, saves=None, **facts):
    """A primitive of one input; public ones are the op itself, the others get a wrapper with Keras's signature.
    `facts`: the Primitive's fields for the static passes (fusion, involution, ...)."""
    prim = primitive(name, forward, vjp, infer, saves, **facts)
    return export(prim, name=name) if public else prim


def float_unary(name, forward, vjp=None, public=True, saves=None, **facts):
    """A float op of one input: `forward(xp, x)` receives x already as a float array."""
    return unary(
        name, lambda xp, x, **attrs: forward(xp, floating(x), **attrs), vjp, float_infer, public, saves, **facts
    )


def binary(name, ufunc, vjp=None, dtype_rule=arithmetic_dtype, forward=None, saves=None, **facts):
    """A broadcasting op of two inputs: numpy's `ufunc`, or its own `forward(xp, a, b)`."""
    numpy_ufunc = getattr(numpy, ufunc) if ufunc else None

    def ufunc_forward(xp, a, b):
        result = (numpy_ufunc if xp is numpy else getattr(xp, ufunc))(a, b)
        return result if result.dtype is not _FLOAT64 else keep_float32(result, a, b)  # `is`: the hot path

    forward = forward or ufunc_forward
    return export(primitive(name, forward, vjp, _broadcast_infer(name, dtype_rule), saves, **facts), name=name)


def predicate(name, ufunc, **facts):
    """Comparisons, logic and isnan-style tests: bool out, no gradient."""
    infer = _broadcast_infer(name, _bool)
    return export(primitive(name, lambda xp, *xs: getattr(xp, ufunc)(*xs), None, infer, **facts), name=name)


# ----- arithmetic ---------------------------------------------------------------------------

binary(
    "add",
    "add",
    lambda g, inputs, out, needs: (g, g),
    saves=(),
    fusion=("add", "{0}, {1}", "({0} + {1})"),
    neutral=(0, (0, 1)),
)
binary(
    "subtract",
    "subtract",
    lambda g, inputs, out, needs: (g, -g if needs[1] else None),
    saves=(),
    fusion=("subtract", "{0}, {1}", "({0} - {1})"),
    neutral=(0, (1,)),
)
binary(
    "multiply",
    "multiply",
    lambda g, inputs, out, needs: (g * inputs[1] if needs[0] else None, g * inputs[0] if needs[1] else None),
    saves=(0, 1),
    fusion=("multiply", "{0}, {1}", "({0} * {1})"),
    neutral=(1, (0, 1)),
)
binary(
    "divide",
    "true_divide",
    lambda g, inputs, out, needs: (g / inputs[1] if needs[0] else None, -g * out / inputs[1] if needs[1] else None),
    float_result,
    saves=(1, "output"),
    fusion=("divide", "{0}, {1}", "({0} / {1})"),
    neutral=(1, (1,)),
)
export(ops.divide, name="true_divide")


def _power_vjp(g, inputs, out, needs):
    base, exponent = inputs
    d_base = g * exponent * ops.power(base, exponent - 1) if needs[0] else None
    d_exponent = g * out * ops.log(ops.where(ops.greater(base, 0), base, 1)) if needs[1] else None
    return d_base, d_exponent


binary("power", "power", _power_vjp)
binary("mod", "mod", lambda g, inputs, out, needs: (g, -g * ops.floor_divide(*inputs) if needs[1] else None))
binary("floor_divide", "floor_divide")


def _logaddexp_vjp(g, inputs, out, needs):
    return (g * ops.exp(inputs[0] - out) if needs[0] else None, g * ops.exp(inputs[1] - out) if needs[1] else None)


binary("logaddexp", "logaddexp", _logaddexp_vjp, float_result)


def _maximum_vjp(g, inputs, out, needs):
    first = ops.greater_equal(*inputs)
    return (ops.where(first, g, 0.0) if needs[0] else None, ops.where(first, 0.0, g) if needs[1] else None)


def _minimum_vjp(g, inputs, out, needs):
    first = ops.less_equal(*inputs)
    return (ops.where(first, g, 0.0) if needs[0] else None, ops.where(first, 0.0, g) if needs[1] else None)


binary("maximum", "maximum", _maximum_vjp, fusion=("maximum", "{0}, {1}", "max({0}, {1})"))
binary("minimum", "minimum", _minimum_vjp, fusion=("minimum", "{0}, {1}", "min({0}, {1})"))


def _where_forward(xp, condition, x1, x2):
    return keep_float32(xp.where(condition, x1, x2), x1, x2)


def _where_infer(shapes, dtypes):
    return broadcast_shapes("where", *shapes), arithmetic_dtype(*dtypes[1:])


def _where_vjp(g, inputs, out, needs):
    condition = inputs[0]
    return (
        None,
        ops.where(condition, g, 0.0) if needs[1] else None,
        ops.where(condition, 0.0, g) if needs[2] else None,
    )


_where = primitive("where", _where_forward, _where_vjp, _where_infer)


@export
def where(condition, x1=None, x2=None):
    if x1 is None or x2 is None:
        raise ValueError(
            "where: x1 and x2 must both be given; where(condition) alone (the indices of the "
            "true elements) has a data-dependent shape, which kerasish does not support"
        )
    return _where(condition, x1, x2)


unary(
    "negative",
    lambda xp, x: xp.negative(x),
    lambda g, inputs, out, needs: (-g,),
    saves=(),
    fusion=("negative", "{0}", "(-{0})"),
    involution=True,
)
unary(
    "square",
    lambda xp, x: xp.square(x),
    lambda g, inputs, out, needs: (g * 2 * inputs[0],),
    saves=(0,),
    fusion=("square", "{0}", "({0} * {0})"),
)
unary(
    "abs",
    lambda xp, x: xp.abs(x),
    lambda g, inputs, out, needs: (g * ops.sign(inputs[0]),),
    fusion=("absolute", "{0}", "abs({0})"),
)
unary("sign", lambda xp, x: xp.sign(x))
unary("floor", lambda xp, x: xp.floor(x))
unary("ceil", lambda xp, x: xp.ceil(x))
_round = unary("round", lambda xp, x, decimals: xp.round(x, decimals), public=False)


@export
def round(x, decimals=0):
    return _round(x, decimals=int(decimals))


_nan_to_num = unary(
    "nan_to_num",
    lambda xp, x, nan, posinf, neginf: xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
    lambda g, inputs, out, needs, **attrs: (g * ops.isfinite(inputs[0]),),
    public=False,
)


@export
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return _nan_to_num(
        x,
        nan=float(nan),
        posinf=None if posinf is None else float(posinf),
        neginf=None if neginf is None else float(neginf),
    )


@export
def reciprocal(x):
    return ops.divide(1.0, x)


def _divide_no_nan_forward(xp, a, b):
    zero = b == 0
    return keep_float32(xp.where(zero, 0, xp.true_divide(a, xp.where(zero, 1, b))), a, b)


# x1 / x2, and 0 where x2 is 0, with a zero gradient there: one op, as metrics divide by it every step.
binary(
    "divide_no_nan",
    None,
    lambda g, inputs, out, needs: (
        ops.divide_no_nan(g, inputs[1]) if needs[0] else None,
        ops.divide_no_nan(-g * out, inputs[1]) if needs[1] else None,
    ),
    float_result,
    forward=_divide_no_nan_forward,
)


float_unary(
    "sqrt",
    lambda xp, x: xp.sqrt(x),
    lambda g, inputs, out, needs: (g * 0.5 / out,),
    saves=("output",),
    fusion=("sqrt", "{0}", "sqrt({0})"),
)
float_unary(
    "rsqrt",
    lambda xp, x: 1 / xp.sqrt(x),
    lambda g, inputs, out, needs: (g * -0.5 * out * out * out,),
    saves=("output",),
)
float_unary(
    "exp",
    lambda xp, x: xp.exp(x),
    lambda g, inputs, out, needs: (g * out,),
    saves=("output",),
    fusion=("exp", "{0}", "exp({0})"),
)
float_unary("expm1", lambda xp, x: xp.expm1(x), lambda g, inputs, out, needs: (g * (out + 1),), saves=("output",))
float_unary(
    "log", lambda xp, x: xp.log(x), lambda g, inputs, out, needs: (g / inputs[0],), fusion=("log", "{0}", "log({0})")
)
float_unary("log1p", lambda xp, x: xp.log1p(x), lambda g, inputs, out, needs: (g / (inputs[0] + 1),))
float_unary("log2", lambda xp, x: xp.log2(x), lambda g, inputs, out, needs: (g / (inputs[0] * math.log(2)),))
float_unary("log10", lambda xp, x: xp.log10(x), lambda g, inputs, out, needs: (g / (inputs[0] * math.log(10)),))
float_unary("sin", lambda xp, x: xp.sin(x), lambda g, inputs, out, needs: (g * ops.cos(inputs[0]),))
float_unary("cos", lambda xp, x: xp.cos(x), lambda g, inputs, out, needs: (-g * ops.sin(inputs[0]),))
float_unary(
    "tanh",
    lambda xp, x: xp.tanh(x),
    lambda g, inputs, out, needs: (g * (1 - out * out),),
    saves=("output",),
    fusion=("tanh", "{0}", "tanh({0})"),
)


def _erf(xp, x):
    """erf by the Chebyshev fit of Numerical Recipes' erfcc: absolute error below 1.2e-7 (float32's
    resolution near 1); numpy has no erf of its own."""
    t = 1 / (1 + 0.5 * xp.abs(x))
    poly = -1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))
    poly = -1.26551223 + t * (
        1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * poly))))
    )
    complement = t * xp.exp(poly - x * x)
    return xp.where(x >= 0, 1 - complement, complement - 1)


float_unary(
    "erf", _erf, lambda g, inputs, out, needs: (g * (2 / math.sqrt(math.pi)) * ops.exp(-ops.square(inputs[0])),)
)


# ----- activations --------------------------------------------------------------------------


def _sigmoid(xp, x):
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|."""
    small = xp.exp(-xp.abs(x))
    inverse = 1 / (1 + small)
    return xp.where(x >= 0, inverse, small * inverse)


unary(
    "relu",
    lambda xp, x: xp.maximum(x, 0),
    lambda g, inputs, out, needs: (g * ops.greater(out, 0),),
    saves=("output",),
    fusion=("maximum", "{0}, 0", "max({0}, (T)0)"),
)
float_unary("sigmoid", _sigmoid, lambda g, inputs, out, needs: (g * out * (1 - out),), saves=("output",))
float_unary("softplus", lambda xp, x: xp.logaddexp(x, 0), lambda g, inputs, out, needs: (g * ops.sigmoid(inputs[0]),))


def _silu_vjp(g, inputs, out, needs):
    x = inputs[0]
    s = ops.sigmoid(x)
    return (g * s * (1 + x * (1 - s)),)


float_unary("silu", lambda xp, x: x * _sigmoid(xp, x), _silu_vjp)
export(ops.silu, name="swish")

_leaky_relu = float_unary(
    "leaky_relu",
    lambda xp, x, negative_slope: xp.where(x >= 0, x, x * negative_slope),
    lambda g, inputs, out, needs, negative_slope: (ops.where(ops.greater_equal(inputs[0], 0), g, g * negative_slope),),
    public=False,
)


@export
def leaky_relu(x, negative_slope=0.2):
    return _leaky_relu(x, negative_slope=float(negative_slope))


_elu = float_unary(
    "elu",
    lambda xp, x, alpha: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))),
    lambda g, inputs, out, needs, alpha: (ops.where(ops.greater(inputs[0], 0), g, g * (out + alpha)),),
    public=False,
)


@export
def elu(x, alpha=1.0):
    return _elu(x, alpha=float(alpha))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


@export
def selu(x):
    return ops.multiply(_elu(x, alpha=_SELU_ALPHA), _SELU_SCALE)


_GELU_C = math.sqrt(2 / math.pi)


def _gelu_forward(xp, x, approximate):
    if approximate:
        return 0.5 * x * (1 + xp.tanh(_GELU_C * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1 + _erf(xp, x * (1 / math.sqrt(2))))


def _gelu_vjp(g, inputs, out, needs, approximate):
    x = inputs[0]
    if approximate:
        t = ops.tanh(_GELU_C * (x + 0.044715 * x * x * x))
        return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_C * (1 + 3 * 0.044715 * x * x)),)
    density = ops.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
    return (g * (0.5 * (1 + ops.erf(x * (1 / math.sqrt(2)))) + x * density),)


_gelu = float_unary("gelu", _gelu_forward, _gelu_vjp, public=False)


@export
def gelu(x, approximate=True):
    return _gelu(x, approximate=bool(approximate))


@export
def relu6(x):
    return ops.minimum(ops.relu(x), 6.0)


@export
def hard_sigmoid(x):
    return ops.divide(relu6(ops.add(x, 3.0)), 6.0)


@export
def hard_silu(x):
    return ops.multiply(x, hard_sigmoid(x))


export(hard_silu, name="hard_swish")


@export
def softsign(x):
    return ops.divide(x, ops.add(ops.abs(x), 1.0))


@export
def log_sigmoid(x):
    return ops.negative(ops.softplus(ops.negative(x)))


@export
def clip(x, x_min, x_max):
    return ops.minimum(ops.maximum(x, x_min), x_max)


# ----- comparisons and logic ----------------------------------------------------------------

for _name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
    predicate(_name, _name, fresh=True)
for _name in ("logical_and", "logical_or", "logical_xor"):
    predicate(_name, _name)
for _name in ("logical_not", "isnan", "isinf", "isfinite"):
    predicate(_name, _name)
