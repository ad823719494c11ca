"""Elementwise primitives: arithmetic, activations, comparisons, logic. Broadcasting follows numpy.

dtypes follow Keras: float ops (exp, sqrt, sigmoid, ...) compute integer inputs in floatx, integer
arithmetic stays integer, and float64 only comes out of float64 in (NEP 50 alone would make
`int_array / 2` or `int_array * 0.5` float64).

Gradient conventions at kinks: relu and abs give 0 at 0; maximum/minimum give a tie to their first
argument (as TensorFlow does).
"""

import math

import numpy

from .. import config, dispatch
from ..kernels import row_blocks
from .registry import broadcast_shapes, dtype_of, export, is_bfloat16, ops, primitive, result_dtype

_FLOAT64 = numpy.dtype("float64")


# ----- dtypes -------------------------------------------------------------------------------


def is_inexact(dtype):
    """Float or complex: numpy's kinds "f" and "c", and ml_dtypes' bfloat16 (whose kind is "V")."""
    return dtype.kind in "fc" or is_bfloat16(dtype)


def float_dtype(dtype):
    """The dtype of a float op's result: float inputs keep theirs, integers, bools and lone Python
    numbers (weak types, which the engines turn into arrays) compute in floatx."""
    if isinstance(dtype, type) or not is_inexact(numpy.dtype(dtype)):
        return numpy.dtype(config.floatx())
    return numpy.dtype(dtype)


def floating(x):
    """The input of a float op: integer and bool arrays become floatx, float arrays stay as they are."""
    return x if is_inexact(x.dtype) else x.astype(config.floatx())


def _float_result(dtype, input_dtypes):
    """Keras's (JAX's) lattice where numpy's differs: integers and bools never widen a float operand
    (float16 * int32 is float16, not float32), and float64 comes only out of a float64 input."""
    floats = [d for d in input_dtypes if not isinstance(d, type) and is_inexact(numpy.dtype(d))]
    if floats:
        return numpy.result_type(*floats)
    return numpy.dtype(config.floatx()) if dtype == _FLOAT64 else dtype


def arithmetic_dtype(*dtypes):
    """numpy's result dtype, except that integers never widen a float and float64 comes only out of float64."""
    dtype = result_dtype(*dtypes)
    return _float_result(dtype, dtypes) if is_inexact(dtype) else dtype


def keep_float32(result, *inputs):
    """The forward twin of `arithmetic_dtype`."""
    dtype = result.dtype
    for x in inputs:  # a loop, not any() over a generator: half the instructions on every metric's result
        if getattr(x, "dtype", None) is dtype:
            return result  # the hot path (`is`): the result has an input's dtype, which the rule gives too
    if not is_inexact(dtype):
        return result
    dtype = _float_result(result.dtype, [x.dtype for x in inputs if hasattr(x, "dtype")])
    return result if dtype == result.dtype else result.astype(dtype)


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


def binary(name, ufunc, vjp=None, dtype_rule=arithmetic_dtype, forward=None, saves=None, public=True, **facts):
    """A broadcasting op of two inputs: numpy's `ufunc`, or its own `forward(xp, a, b)`; public ones are the op
    itself, the others get a wrapper with Keras's signature."""
    numpy_ufunc = getattr(numpy, ufunc) if ufunc else None

    def ufunc_forward(xp, a, b):
        result = (numpy_ufunc if xp is numpy else getattr(xp, ufunc))(a, b)
        if result.dtype is getattr(a, "dtype", None) or result.dtype is getattr(b, "dtype", None):
            return result  # the hot path (`is`): the result has an input's dtype
        return keep_float32(result, a, b)

    forward = forward or ufunc_forward
    prim = primitive(name, forward, vjp, _broadcast_infer(name, dtype_rule), saves, **facts)
    return export(prim, name=name) if public else prim


def predicate(name, ufunc, public=True, **facts):
    """Comparisons, logic and isnan-style tests: bool out, no gradient. `ufunc`: xp's function's name, or a
    `forward(xp, *arrays)` of its own."""
    infer = _broadcast_infer(name, _bool)
    forward = ufunc if callable(ufunc) else lambda xp, *xs: getattr(xp, ufunc)(*xs)
    prim = primitive(name, forward, None, infer, **facts)
    return export(prim, name=name) if public else prim


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


def _abs_vjp(g, inputs, out, needs):
    x = inputs[0]
    if numpy.dtype(result_dtype(dtype_of(x))).kind != "c":
        return (g * ops.sign(x),)
    # conj(z) / |z|: the conjugated gradient (dL/dx - i dL/dy) that the complex ops' rules carry, 0 at z = 0
    magnitude = ops.abs(x)
    return (ops.conjugate(x) * ops.cast(g / ops.where(magnitude == 0, 1, magnitude), dtype_of(x)),)


unary("abs", lambda xp, x: xp.abs(x), _abs_vjp, fusion=("absolute", "{0}", "abs({0})"))
unary("sign", lambda xp, x: xp.sign(x))
float_unary("floor", lambda xp, x: xp.floor(x))  # integers and bools give floatx, as in Keras
float_unary("ceil", lambda xp, x: xp.ceil(x))
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
    if type(a) is numpy.ndarray and type(b) is numpy.ndarray and not a.ndim and not b.ndim and b.item() != 0:
        # two host scalars (a metric's total / count, every step): the quotient, without the where()s (and b's
        # test as a Python number: a fifth of the instructions of numpy's `!=`)
        return keep_float32(numpy.asarray(numpy.true_divide(a, b)), a, b)
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


def _erfc_of_abs(xp, x):
    """erfc(|x|) by the Chebyshev fit of Numerical Recipes' erfcc: relative error below 1.2e-7 (float32's
    resolution); numpy has no erf of its own."""
    t = 1 / (1 + 0.5 * xp.abs(x))
    poly = -1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))
    poly = -1.26551223 + t * (
        1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * poly))))
    )
    return t * xp.exp(poly - x * x)


def _erf(xp, x):
    complement = _erfc_of_abs(xp, x)
    return xp.where(x >= 0, 1 - complement, complement - 1)


def _erfc(xp, x):
    complement = _erfc_of_abs(xp, x)
    return xp.where(x >= 0, complement, 2 - complement)


def _erfinv(xp, x):
    """erfinv by Giles' single-precision polynomials ("Approximating the erfinv function", 2010), a relative
    error of a few float32 ulps; +-1 give +-inf and |x| > 1 gives nan."""
    with numpy.errstate(divide="ignore", invalid="ignore"):  # log(0) at +-1 is the intended infinity
        w = -xp.log((1 - x) * (1 + x))
    central = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164):
        p = c + p * central
    p = 1.50140941 + (0.246640727 + p * central) * central
    tail = xp.sqrt(w) - 3
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047):
        q = c + q * tail
    q = 2.83297682 + (1.00167406 + q * tail) * tail
    return xp.where(xp.abs(x) == 1, xp.copysign(xp.inf, x), xp.where(w < 5, p, q) * x)


float_unary(
    "erf", _erf, lambda g, inputs, out, needs: (g * (2 / math.sqrt(math.pi)) * ops.exp(-ops.square(inputs[0])),)
)
_erfc_primitive = float_unary(
    "erfc",
    _erfc,
    lambda g, inputs, out, needs: (g * (-2 / math.sqrt(math.pi)) * ops.exp(-ops.square(inputs[0])),),
    public=False,
)
_erfinv_primitive = float_unary(
    "erfinv",
    _erfinv,
    lambda g, inputs, out, needs: (g * (math.sqrt(math.pi) / 2) * ops.exp(ops.square(out)),),
    public=False,
    saves=("output",),
)


@export
def erfc(x):
    return _erfc_primitive(x)


@export
def erfinv(x):
    return _erfinv_primitive(x)


# ----- activations --------------------------------------------------------------------------


def _sigmoid(xp, x):
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|."""
    small = xp.exp(-xp.abs(x))
    inverse = 1 / (1 + small)
    return xp.where(x >= 0, inverse, small * inverse)


def _relu_gradient_forward(xp, g, output):
    gradient = xp.greater(output, 0).astype(g.dtype)  # the mask as g's dtype: the product needs no cast loop
    gradient *= g
    return gradient


# relu's gradient g · (output > 0) as one op where it runs eagerly (a Dense layer's backward, every step): one
# op and one pass fewer than `greater` and the product, the same numbers (0 or 1 times g); traced, the two ops
# stay, which the static plan fuses itself. dense_relu's rule (eager only) calls it directly.
relu_gradient = primitive(
    "relu_gradient",
    _relu_gradient_forward,
    lambda h, inputs, output, needs: (relu_gradient(h, inputs[1]) if needs[0] else None, None),
    lambda shapes, dtypes: (tuple(shapes[0]), dtypes[0]),
    saves=(1,),
    fresh=True,
)


def _relu_vjp(g, inputs, out, needs):
    return (g * ops.greater(out, 0) if dispatch.traced(g) else relu_gradient(g, out),)


unary(
    "relu",
    lambda xp, x: row_blocks.against_zero(xp, xp.maximum, x),
    _relu_vjp,
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


_celu = float_unary(
    "celu",
    lambda xp, x, alpha: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0) / alpha)),
    lambda g, inputs, out, needs, alpha: (ops.where(ops.greater(inputs[0], 0), g, g * (out / alpha + 1)),),
    public=False,
)


@export
def celu(x, alpha=1.0):
    return _celu(x, alpha=float(alpha))


def _inside_unit(x):
    return ops.less_equal(ops.abs(x), 1)


_hard_tanh = float_unary(
    "hard_tanh",
    lambda xp, x: xp.clip(x, -1, 1),
    lambda g, inputs, out, needs: (ops.where(_inside_unit(inputs[0]), g, 0.0),),
    public=False,
    saves=(0,),
)


@export
def hard_tanh(x):
    return _hard_tanh(x)


def _shrink_vjp(g, inputs, out, needs, threshold):
    return (ops.where(ops.greater(ops.abs(inputs[0]), threshold), g, 0.0),)


_hard_shrink = float_unary(
    "hard_shrink", lambda xp, x, threshold: xp.where(xp.abs(x) > threshold, x, 0), _shrink_vjp, public=False
)
_soft_shrink = float_unary(
    "soft_shrink",
    lambda xp, x, threshold: xp.where(x > threshold, x - threshold, xp.where(x < -threshold, x + threshold, 0)),
    _shrink_vjp,
    public=False,
)


@export
def hard_shrink(x, threshold=0.5):
    return _hard_shrink(x, threshold=float(threshold))


@export
def soft_shrink(x, threshold=0.5):
    return _soft_shrink(x, threshold=float(threshold))


@export
def tanh_shrink(x):
    return ops.subtract(x, ops.tanh(x))


_threshold = float_unary(
    "threshold",
    lambda xp, x, threshold, default_value: xp.where(x > threshold, x, default_value).astype(x.dtype, copy=False),
    lambda g, inputs, out, needs, threshold, default_value: (ops.where(ops.greater(inputs[0], threshold), g, 0.0),),
    public=False,
)


@export
def threshold(x, threshold, default_value):
    return _threshold(x, threshold=float(threshold), default_value=float(default_value))


_sparse_plus = float_unary(
    "sparse_plus",
    lambda xp, x: xp.where(x <= -1, 0, xp.where(x < 1, (x + 1) * (x + 1) / 4, x)).astype(x.dtype, copy=False),
    lambda g, inputs, out, needs: (g * ops.clip((inputs[0] + 1) / 2, 0.0, 1.0),),
    public=False,
    saves=(0,),
)
_sparse_sigmoid = float_unary(
    "sparse_sigmoid",
    lambda xp, x: xp.clip((x + 1) / 2, 0, 1),
    lambda g, inputs, out, needs: (ops.where(_inside_unit(inputs[0]), g * 0.5, 0.0),),
    public=False,
    saves=(0,),
)


@export
def sparse_plus(x):
    return _sparse_plus(x)


@export
def sparse_sigmoid(x):
    return _sparse_sigmoid(x)


def _squareplus_vjp(g, inputs, out, needs, b):
    x = inputs[0]
    return (g * 0.5 * (1 + x / ops.sqrt(ops.square(x) + b)),)


_squareplus = float_unary(
    "squareplus", lambda xp, x, b: (x + xp.sqrt(x * x + b)) / 2, _squareplus_vjp, public=False, saves=(0,)
)


@export
def squareplus(x, b=4):
    return _squareplus(x, b=float(b))


# ----- comparisons and logic ----------------------------------------------------------------

for _name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
    predicate(_name, _name, fresh=True)
for _name in ("logical_and", "logical_or", "logical_xor"):
    predicate(_name, _name)
for _name in ("logical_not", "isnan", "isinf", "isfinite"):
    predicate(_name, _name)
