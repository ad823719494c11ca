"""Cases for the core primitives: elementwise, reductions, linear algebra, shapes and indexing, creation.

Gradient cases keep their inputs away from kinks and ties (relu and abs at 0, max ties, mod's jumps).
"""

import math

import numpy

from kerasish import ops
from kerasish.backends.primitives import PRIMITIVES
from kerasish.backends.primitives.checks import check_range
from kerasish.backends.primitives.optimizer_updates import sgd_update

from . import Case, randn

A, B = randn(3, 4), randn(4, seed=1)
POSITIVE = numpy.abs(randn(2, 3, seed=2)) + 0.5
INTS = numpy.array([[3, -1, 4], [1, -5, 9]], dtype="int32")
MASK = numpy.array([[True, False, True, False], [False, True, True, False], [True, True, False, False]])
_erf = numpy.vectorize(math.erf, otypes=[float])


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def _elu(x, alpha=1.0):
    return numpy.where(x > 0, x, alpha * numpy.expm1(numpy.minimum(x, 0)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + numpy.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def _logsumexp(x, axis):
    peak = x.max(axis=axis, keepdims=True)
    return numpy.squeeze(numpy.log(numpy.exp(x - peak).sum(axis=axis, keepdims=True)) + peak, axis=axis)


def _scatter_update(x, key, updates):
    result = x.copy()
    result[key] = updates
    return result


def _slice_update(x, key, updates):
    return _scatter_update(x, key, updates)


def _scatter(indices, values, shape):
    result = numpy.zeros(shape, values.dtype)
    numpy.add.at(result, tuple(indices.T), values)
    return result


ARITHMETIC = [
    Case("add", ops.add, [A, B], numpy.add, id="add-broadcast"),
    Case("add", lambda x: ops.add(x, 2.5), [A], lambda x: x + 2.5, id="add-python-scalar"),
    Case("subtract", ops.subtract, [randn(3, 1), randn(1, 4, seed=1)], numpy.subtract),
    Case("multiply", ops.multiply, [randn(2, 3), randn(2, 3, seed=1)], numpy.multiply),
    Case("divide", ops.divide, [randn(2, 3), randn(3, seed=1) + 3], numpy.divide),
    Case(
        "divide",
        ops.true_divide,
        [INTS, numpy.array([2, 3, 4], "int32")],
        lambda a, b: (a / b).astype("float32"),
        grad=False,
        id="divide-integers-give-floatx",
    ),
    Case("power", ops.power, [POSITIVE, randn(3, seed=3)], numpy.power, atol=1e-4),
    Case("power", lambda x: ops.power(x, 3), [randn(2, 3)], lambda x: x**3, id="power-integer-exponent"),
    Case("mod", ops.mod, [numpy.array([2.3, -1.7, 5.2]), numpy.array([1.1, 0.9, 2.0])], numpy.mod),
    Case("floor_divide", ops.floor_divide, [INTS, numpy.array([2, 3, -2], "int32")], numpy.floor_divide, grad=False),
    Case("logaddexp", ops.logaddexp, [A * 10, B], numpy.logaddexp),
    Case("maximum", ops.maximum, [A, B], numpy.maximum, id="maximum-broadcast"),
    Case("minimum", ops.minimum, [A, B], numpy.minimum, id="minimum-broadcast"),
    Case(
        "maximum",
        lambda x: ops.clip(x, -0.5, 0.7),
        [A],
        lambda x: numpy.clip(x, -0.5, 0.7),
        id="clip",
        covers=("minimum",),
    ),
    Case("where", ops.where, [MASK, A, B], numpy.where, id="where-broadcast"),
    Case("where", lambda c, x: ops.where(c, x, 0.0), [MASK, A], lambda c, x: numpy.where(c, x, 0), id="where-scalar"),
    Case(
        "divide_no_nan",
        ops.divide_no_nan,
        [A, numpy.array([0.0, 2.0, -1.5, 0.0])],
        lambda a, b: numpy.where(b == 0, 0, a / numpy.where(b == 0, 1, b)),
        grad=False,
        id="divide_no_nan-zeros",
    ),
    Case("divide_no_nan", ops.divide_no_nan, [A, B], lambda a, b: a / b, id="divide_no_nan"),
    Case("divide", ops.reciprocal, [POSITIVE], lambda x: 1 / x, id="reciprocal"),
]

UNARY = [
    Case("negative", ops.negative, [randn(5)], numpy.negative),
    Case("square", ops.square, [randn(5)], numpy.square),
    Case("abs", ops.abs, [randn(5)], numpy.abs),
    Case("sign", ops.sign, [randn(5)], numpy.sign, grad=False),
    Case("floor", ops.floor, [randn(5) * 3], numpy.floor, grad=False),
    Case(
        "floor",
        ops.floor,
        [INTS],
        lambda x: numpy.floor(x).astype("float32"),
        grad=False,
        id="floor-integers-give-floatx",
    ),
    Case("ceil", ops.ceil, [randn(5) * 3], numpy.ceil, grad=False),
    Case("round", lambda x: ops.round(x, decimals=1), [randn(5) * 3], lambda x: numpy.round(x, 1), grad=False),
    Case("sqrt", ops.sqrt, [POSITIVE], numpy.sqrt),
    Case(
        "sqrt",
        ops.sqrt,
        [INTS**2],
        lambda x: numpy.sqrt(x).astype("float32"),
        grad=False,
        id="sqrt-integers-give-floatx",
    ),
    Case("rsqrt", ops.rsqrt, [POSITIVE], lambda x: 1 / numpy.sqrt(x)),
    Case("exp", ops.exp, [randn(5)], numpy.exp),
    Case("expm1", ops.expm1, [randn(5)], numpy.expm1),
    Case("log", ops.log, [POSITIVE], numpy.log),
    Case("log1p", ops.log1p, [POSITIVE], numpy.log1p),
    Case("log2", ops.log2, [POSITIVE], numpy.log2),
    Case("log10", ops.log10, [POSITIVE], numpy.log10),
    Case(
        "nan_to_num",
        lambda x: ops.nan_to_num(x, posinf=9.0),
        [numpy.array([0.5, numpy.nan, numpy.inf, -numpy.inf])],
        lambda x: numpy.nan_to_num(x, posinf=9.0),
        grad=False,
    ),
    Case("nan_to_num", ops.nan_to_num, [randn(4)], numpy.nan_to_num, id="nan_to_num-finite"),
    Case("sin", ops.sin, [randn(5)], numpy.sin),
    Case("cos", ops.cos, [randn(5)], numpy.cos),
    Case("tanh", ops.tanh, [randn(5)], numpy.tanh),
    Case("erf", ops.erf, [numpy.array([-3.0, -1.2, -0.3, 0.01, 0.4, 1.1, 2.5])], _erf, atol=2e-7),
    Case("relu", ops.relu, [randn(5) + 0.05], lambda x: numpy.maximum(x, 0)),
    Case(
        "relu_gradient",  # relu's eager gradient: g where relu's output is positive, else 0 (nan too)
        lambda g: PRIMITIVES["relu_gradient"](g, numpy.array([0.7, 0.0, -0.0, 2.0, numpy.nan], "float32")),
        [randn(5)],
        lambda g: g * (numpy.array([0.7, 0.0, -0.0, 2.0, numpy.nan]) > 0),
    ),
    Case("sigmoid", ops.sigmoid, [numpy.array([-30.0, -2.0, -0.1, 0.3, 4.0, 30.0])], _sigmoid),
    Case("softplus", ops.softplus, [numpy.array([-30.0, -1.0, 0.2, 3.0, 40.0])], lambda x: numpy.logaddexp(x, 0)),
    Case("silu", ops.silu, [randn(5)], lambda x: x * _sigmoid(x)),
    Case("leaky_relu", ops.leaky_relu, [randn(6) + 0.05], lambda x: numpy.where(x >= 0, x, 0.2 * x)),
    Case(
        "leaky_relu",
        lambda x: ops.leaky_relu(x, negative_slope=0.5),
        [randn(6) + 0.05],
        lambda x: numpy.where(x >= 0, x, 0.5 * x),
        id="leaky_relu-slope",
    ),
    Case("elu", lambda x: ops.elu(x, alpha=0.7), [randn(6) + 0.05], lambda x: _elu(x, 0.7)),
    Case("elu", ops.selu, [randn(6) + 0.05], lambda x: 1.0507009873554805 * _elu(x, 1.6732632423543772), id="selu"),
    Case("gelu", ops.gelu, [randn(6)], _gelu_tanh, id="gelu-tanh"),
    Case(
        "gelu",
        lambda x: ops.gelu(x, approximate=False),
        [randn(6)],
        lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
        id="gelu-exact",
        covers=("erf",),
    ),
    Case("minimum", ops.relu6, [numpy.array([-1.0, 0.5, 3.0, 5.9, 7.0])], lambda x: numpy.clip(x, 0, 6), id="relu6"),
    Case(
        "divide",
        ops.hard_sigmoid,
        [numpy.array([-4.0, -1.0, 0.5, 2.0, 4.0])],
        lambda x: numpy.clip(x + 3, 0, 6) / 6,
        id="hard_sigmoid",
    ),
    Case(
        "multiply",
        ops.hard_silu,
        [numpy.array([-4.0, -1.0, 0.5, 2.0, 4.0])],
        lambda x: x * numpy.clip(x + 3, 0, 6) / 6,
        id="hard_silu",
    ),
    Case("divide", ops.softsign, [randn(5)], lambda x: x / (1 + numpy.abs(x)), id="softsign"),
    Case("softplus", ops.log_sigmoid, [randn(5)], lambda x: -numpy.logaddexp(-x, 0), id="log_sigmoid"),
]

PREDICATES = (
    [
        Case(
            name,
            getattr(ops, name),
            [numpy.array([[1.0, 2.0, 3.0]]), numpy.array([[1.0], [3.0]])],
            getattr(numpy, name),
            grad=False,
        )
        for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal")
    ]
    + [
        Case(name, getattr(ops, name), [MASK, MASK[::-1]], getattr(numpy, name), grad=False)
        for name in ("logical_and", "logical_or", "logical_xor")
    ]
    + [
        Case("logical_not", ops.logical_not, [MASK], numpy.logical_not, grad=False),
    ]
    + [
        Case(
            name,
            getattr(ops, name),
            [numpy.array([1.0, numpy.nan, numpy.inf, -numpy.inf])],
            getattr(numpy, name),
            grad=False,
        )
        for name in ("isnan", "isinf", "isfinite")
    ]
)

REDUCTIONS = [
    Case("sum", lambda x: ops.sum(x, axis=1), [randn(3, 4)], lambda x: x.sum(axis=1), covers=("broadcast_like",)),
    Case(
        "sum",
        lambda x: ops.sum(x, axis=(0, 2), keepdims=True),
        [randn(2, 3, 4)],
        lambda x: x.sum(axis=(0, 2), keepdims=True),
        id="sum-keepdims",
    ),
    Case("sum", ops.sum, [INTS], lambda x: x.sum(dtype="int32"), grad=False, id="sum-integers-stay-int32"),
    Case(
        "sum_to",
        lambda x: ops.add(x, numpy.zeros((2, 3), "float32")),
        [randn(3)],
        lambda x: x + numpy.zeros((2, 3)),
        id="sum_to-via-broadcast-add",
    ),
    Case("mean", lambda x: ops.mean(x, axis=-1), [randn(3, 4)], lambda x: x.mean(axis=-1)),
    Case(
        "mean",
        lambda x: ops.mean(x, axis=(0, 1), keepdims=True),
        [randn(2, 3, 2)],
        lambda x: x.mean(axis=(0, 1), keepdims=True),
        id="mean-keepdims",
    ),
    Case("mean", ops.mean, [INTS], lambda x: numpy.float32(x.mean()), grad=False, id="mean-integers-give-floatx"),
    # the gradient of sum and mean in one op: small results are written out, large ones (> 4096) broadcast
    Case(
        "spread_reduced",
        lambda g: PRIMITIVES["spread_reduced"](g, numpy.zeros((3, 4), "float32"), axis=1, keepdims=False),
        [randn(3)],
        lambda g: numpy.broadcast_to(g[:, None], (3, 4)),
    ),
    Case(
        "spread_reduced",
        lambda g: PRIMITIVES["spread_reduced"](g, numpy.zeros((2, 3, 4), "float32"), axis=(0, -1), mean=True),
        [randn(3)],
        lambda g: numpy.broadcast_to(g[None, :, None] / 8, (2, 3, 4)),
        id="spread_reduced-mean",
    ),
    Case(
        "spread_reduced",
        lambda g: PRIMITIVES["spread_reduced"](g, numpy.zeros((2, 3), "float32"), axis=None, keepdims=True, mean=True),
        [randn(1, 1)],
        lambda g: numpy.broadcast_to(g / 6, (2, 3)),
        id="spread_reduced-mean-keepdims",
    ),
    Case(
        "spread_reduced",
        lambda g: PRIMITIVES["spread_reduced"](g, numpy.zeros((50, 100), "float32"), axis=0),
        [randn(100)],
        lambda g: numpy.broadcast_to(g, (50, 100)),
        id="spread_reduced-large-stays-a-broadcast",
    ),
    Case(
        "sgd_update",
        sgd_update,
        [randn(3, 4), randn(3, 4, seed=1), numpy.array(0.1)],
        lambda v, g, lr: v - g * lr,
    ),
    Case(
        "sgd_update",
        lambda v, g, lr: sgd_update(v, g, lr, momentum=0.9),
        [randn(3, 4), randn(3, 4, seed=1), numpy.array(0.1)],
        lambda v, g, lr: v * 0.9 - g * lr,
        id="sgd_update-momentum",
    ),
    Case("max", lambda x: ops.max(x, axis=1), [randn(3, 4)], lambda x: x.max(axis=1)),
    Case(
        "max",
        lambda x: ops.max(x, axis=(0, 2), keepdims=True),
        [randn(2, 3, 2)],
        lambda x: x.max(axis=(0, 2), keepdims=True),
        id="max-keepdims",
    ),
    Case("max", lambda x: ops.max(x, initial=1.5), [randn(3, 4)], lambda x: max(x.max(), 1.5), id="max-initial"),
    Case("min", lambda x: ops.min(x, axis=0), [randn(3, 4)], lambda x: x.min(axis=0)),
    Case("prod", lambda x: ops.prod(x, axis=1), [randn(3, 4)], lambda x: x.prod(axis=1)),
    Case("all", lambda x: ops.all(x, axis=1), [MASK], lambda x: x.all(axis=1), grad=False),
    Case(
        "any", lambda x: ops.any(x, axis=0, keepdims=True), [MASK], lambda x: x.any(axis=0, keepdims=True), grad=False
    ),
    Case(
        "argmax", lambda x: ops.argmax(x, axis=1), [randn(3, 4)], lambda x: x.argmax(axis=1).astype("int32"), grad=False
    ),
    Case(
        "argmax",
        lambda x: ops.argmax(x, axis=0, keepdims=True),
        [randn(3, 4)],
        lambda x: x.argmax(axis=0)[None].astype("int32"),
        grad=False,
        id="argmax-keepdims",
    ),
    Case("argmin", ops.argmin, [randn(3, 4)], lambda x: numpy.int32(x.argmin()), grad=False),
    Case("mean", lambda x: ops.var(x, axis=0), [randn(4, 3)], lambda x: x.var(axis=0), id="var"),
    Case(
        "sqrt",
        lambda x: ops.std(x, axis=1, keepdims=True),
        [randn(3, 4)],
        lambda x: x.std(axis=1, keepdims=True),
        id="std",
    ),
    Case(
        "sum",
        lambda x: ops.count_nonzero(x, axis=1),
        [numpy.array([[0.0, 1.5, 0.0], [2.0, -1.0, 3.0]])],
        lambda x: numpy.count_nonzero(x, axis=1).astype("int32"),
        grad=False,
        id="count_nonzero",
        covers=("not_equal",),
    ),
    Case(
        "sum",
        lambda x, w: ops.average(x, axis=1, weights=w),
        [randn(2, 3), numpy.array([0.5, 1.0, 2.0])],
        lambda x, w: numpy.average(x, axis=1, weights=w),
        id="average",
    ),
    Case("cumsum", lambda x: ops.cumsum(x, axis=1), [randn(2, 4)], lambda x: numpy.cumsum(x, axis=1)),
    Case("cumsum", ops.cumsum, [INTS], lambda x: numpy.cumsum(x).astype("int32"), grad=False, id="cumsum-flat-int"),
    Case("cumprod", lambda x: ops.cumprod(x, axis=0), [randn(3, 2)], lambda x: numpy.cumprod(x, axis=0)),
    Case(
        "argsort",
        ops.argsort,
        [numpy.array([[3.0, 1.0, 2.0, 1.0], [0.5, -1.0, 4.0, 2.0]])],
        lambda x: numpy.argsort(x, kind="stable").astype("int32"),
        grad=False,
    ),
    Case("argsort", lambda x: ops.sort(x, axis=0), [randn(4, 3)], lambda x: numpy.sort(x, axis=0), id="sort"),
    Case(
        "argsort",
        lambda x: ops.top_k(x, 2)[0],
        [randn(3, 4)],
        lambda x: -numpy.sort(-x, axis=-1)[:, :2],
        id="top_k-values",
    ),
    Case(
        "argsort",
        lambda x: ops.top_k(x, 3)[1],
        [numpy.array([[1.0, 3.0, 3.0, 2.0]])],
        lambda x: numpy.array([[1, 2, 3]], "int32"),
        grad=False,
        id="top_k-indices-ties",
    ),
    Case(
        "argsort",
        lambda p: ops.in_top_k(numpy.array([1, 3]), p, 2),
        [numpy.array([[0.1, 0.5, 0.5, 0.2], [0.9, 0.1, 0.1, 0.05]])],
        lambda p: numpy.array([True, False]),
        grad=False,
        id="in_top_k",
    ),
    Case(
        "max",
        lambda x: ops.logsumexp(x, axis=1),
        [randn(3, 4) * 5],
        lambda x: _logsumexp(x, 1),
        id="logsumexp",
        covers=("stop_gradient", "isfinite"),
    ),
]

LINALG = [
    Case("matmul", ops.matmul, [randn(3, 4), randn(4, 2, seed=1)], numpy.matmul),
    Case("qr_q", lambda x: ops.qr(x)[0], [randn(5, 3)], lambda x: numpy.linalg.qr(x)[0], grad=False),
    Case(
        "qr_r",
        lambda x: ops.qr(x, mode="complete")[1],
        [randn(2, 3, 4)],
        lambda x: numpy.linalg.qr(x, mode="complete")[1],
        grad=False,
        atol=1e-4,
    ),
    Case("matmul", ops.matmul, [randn(2, 1, 2, 3), randn(3, 3, 2, seed=1)], numpy.matmul, id="matmul-batch-broadcast"),
    Case(
        "matmul",
        ops.matmul,
        [randn(2, 3, 4), randn(4, 2, seed=1)],
        numpy.matmul,
        id="matmul-batch-times-matrix",
        covers=("reshape",),
    ),
    Case("matmul", ops.matmul, [randn(3), randn(2, 3, 4, seed=1)], numpy.matmul, id="matmul-vector-matrix"),
    Case("matmul", ops.matmul, [randn(2, 4, 3), randn(3, seed=1)], numpy.matmul, id="matmul-matrix-vector"),
    Case("matmul", ops.matmul, [randn(3), randn(3, seed=1)], numpy.matmul, id="matmul-vector-vector"),
    Case(  # matmul's eager gradient of two matrices (G Bᵀ and Aᵀ G); their own gradients use each other
        "matmul_right_transposed",
        PRIMITIVES["matmul_right_transposed"],
        [randn(3, 4), randn(2, 4, seed=1)],
        lambda a, b: a @ b.T,
    ),
    Case(
        "matmul_left_transposed",
        PRIMITIVES["matmul_left_transposed"],
        [randn(4, 3), randn(4, 2, seed=1)],
        lambda a, b: a.T @ b,
    ),
    Case("einsum", lambda a, b: ops.einsum("ij,jk->ik", a, b), [randn(3, 4), randn(4, 2, seed=1)], lambda a, b: a @ b),
    Case(
        "einsum",
        lambda a, b: ops.einsum("bij,bjk->bik", a, b),
        [randn(2, 3, 4), randn(2, 4, 2, seed=1)],
        numpy.matmul,
        id="einsum-batched",
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("bi,bi->b", a, b),
        [randn(3, 4), randn(3, 4, seed=1)],
        lambda a, b: (a * b).sum(-1),
        id="einsum-rowwise-dot",
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("i,j", a, b),
        [randn(3), randn(2, seed=1)],
        numpy.outer,
        id="einsum-implicit-outer",
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("...ij,...jk->...ik", a, b),
        [randn(2, 3, 4), randn(4, 2, seed=1)],
        numpy.matmul,
        id="einsum-ellipsis-broadcast",
    ),
    Case("einsum", lambda a: ops.einsum("ij->i", a), [randn(3, 4)], lambda a: a.sum(1), id="einsum-sum-one-operand"),
    Case(
        "einsum",
        lambda a, b: ops.einsum("abc,cde->abde", a, b),
        [randn(4, 20, 16), randn(16, 2, 3, seed=1)],
        lambda a, b: numpy.einsum("abc,cde->abde", a, b),
        id="einsum-projection-as-one-matmul",
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("ntgx,tgm->ngm", a, b),
        [randn(8, 9, 4, 5), randn(9, 4, 3, seed=1)],
        lambda a, b: numpy.einsum("ntgx,tgm->ngm", a, b),
        id="einsum-batched-matmul-with-a-label-of-one-operand",
        covers=("broadcast_like",),
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("...c,...b->bc", a, b),
        [randn(2, 3, 4), randn(3, 5, seed=1)],
        lambda a, b: numpy.einsum("xyc,yb->bc", a, b),
        id="einsum-output-sums-the-ellipsis",
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("...b,bc->c", a, b),
        [randn(2, 3, 4), randn(4, 5, seed=1)],
        lambda a, b: numpy.einsum("xyb,bc->c", a, b),
        id="einsum-ellipsis-of-one-operand-summed",
        covers=("broadcast_like",),
    ),
    Case(
        "einsum",
        lambda a, b: ops.einsum("ij,jk->i", a, b),
        [randn(3, 4), randn(4, 2, seed=1)],
        lambda a, b: (a @ b).sum(1),
        id="einsum-summed-label-of-one-operand",
        covers=("broadcast_like",),
    ),
    Case(
        "einsum",
        lambda a, b: ops.tensordot(a, b, axes=([0, 2], [2, 1])),
        [randn(2, 3, 4), randn(3, 4, 2, seed=1)],
        lambda a, b: numpy.tensordot(a, b, axes=([0, 2], [2, 1])),
        id="tensordot",
    ),
    Case(
        "einsum",
        lambda a, b: ops.tensordot(a, b, axes=1),
        [randn(2, 3), randn(3, 2, seed=1)],
        lambda a, b: numpy.tensordot(a, b, axes=1),
        id="tensordot-int",
    ),
    Case("einsum", ops.dot, [randn(2, 3), randn(2, 3, 4, seed=1)], numpy.dot, id="dot-nd"),
    Case("matmul", ops.dot, [randn(2, 3), randn(3, seed=1)], numpy.dot, id="dot-matrix-vector"),
    Case("einsum", ops.inner, [randn(2, 3), randn(4, 3, seed=1)], numpy.inner, id="inner"),
    Case("multiply", ops.outer, [randn(2, 2), randn(3, seed=1)], numpy.outer, id="outer"),
]

SHAPES = [
    Case("reshape", lambda x: ops.reshape(x, (2, -1)), [randn(3, 4)], lambda x: x.reshape(2, -1)),
    Case("reshape", ops.ravel, [randn(3, 4)], numpy.ravel, id="ravel"),
    Case("transpose", ops.transpose, [randn(2, 3, 4)], numpy.transpose),
    Case(
        "transpose",
        lambda x: ops.transpose(x, (1, 0, 2)),
        [randn(2, 3, 4)],
        lambda x: x.transpose(1, 0, 2),
        id="transpose-axes",
    ),
    Case(
        "transpose",
        lambda x: ops.swapaxes(x, 0, -1),
        [randn(2, 3, 4)],
        lambda x: numpy.swapaxes(x, 0, -1),
        id="swapaxes",
    ),
    Case(
        "transpose",
        lambda x: ops.moveaxis(x, 0, -1),
        [randn(2, 3, 4)],
        lambda x: numpy.moveaxis(x, 0, -1),
        id="moveaxis",
    ),
    Case("expand_dims", lambda x: ops.expand_dims(x, (0, -1)), [randn(2, 3)], lambda x: x[None, :, :, None]),
    Case("squeeze", lambda x: ops.squeeze(x, axis=1), [randn(3, 1, 2)], lambda x: x[:, 0]),
    Case("squeeze", ops.squeeze, [randn(1, 3, 1)], numpy.squeeze, id="squeeze-all"),
    Case(
        "broadcast_to",
        lambda x: ops.broadcast_to(x, (2, 3, 4)),
        [randn(3, 1)],
        lambda x: numpy.broadcast_to(x, (2, 3, 4)),
    ),
    Case(
        "concatenate",
        lambda a, b, c: ops.concatenate([a, b, c], axis=-1),
        [randn(2, 1), randn(2, 3, seed=1), randn(2, 2, seed=2)],
        lambda a, b, c: numpy.concatenate([a, b, c], -1),
        covers=("getitem",),
    ),
    Case(
        "concatenate",
        lambda a, b: ops.stack([a, b], axis=1),
        [randn(2, 3), randn(2, 3, seed=1)],
        lambda a, b: numpy.stack([a, b], 1),
        id="stack",
    ),
    Case(
        "getitem",
        lambda x: ops.concatenate(ops.split(x, [1, 3], axis=1)[::-1], axis=1),
        [randn(2, 4)],
        lambda x: numpy.concatenate(numpy.split(x, [1, 3], axis=1)[::-1], axis=1),
        id="split-indices",
    ),
    Case(
        "getitem",
        lambda x: ops.stack(ops.split(x, 2, axis=0)),
        [randn(4, 3)],
        lambda x: numpy.stack(numpy.split(x, 2, axis=0)),
        id="split-sections",
    ),
    Case(
        "getitem",
        lambda x: ops.stack(ops.unstack(x, axis=1), axis=0),
        [randn(2, 3)],
        lambda x: numpy.stack(list(numpy.moveaxis(x, 1, 0))),
        id="unstack",
    ),
    Case("getitem", lambda x: x[1], [randn(3, 4)], lambda x: x[1], covers=("getitem_grad",)),
    Case("getitem", lambda x: x[-1, 1::2], [randn(3, 5)], lambda x: x[-1, 1::2], id="getitem-slice-step"),
    Case(
        "getitem",
        lambda x: x[::-2, ..., None, 0],
        [randn(3, 2, 4)],
        lambda x: x[::-2, ..., None, 0],
        id="getitem-ellipsis-newaxis",
    ),
    Case("getitem", lambda x: x[[2, 0, 2]], [randn(3, 4)], lambda x: x[[2, 0, 2]], id="getitem-list-repeats"),
    Case(
        "getitem",
        lambda x, i: x[:, i],
        [randn(3, 4), numpy.array([[1, 1], [3, 0]])],
        lambda x, i: x[:, i],
        id="getitem-array-tensor",
    ),
    Case(
        "getitem",
        lambda x: x[[0, 1], :, [1, 0]],
        [randn(2, 3, 4)],
        lambda x: x[[0, 1], :, [1, 0]],
        id="getitem-advanced-apart",
    ),
    Case(
        "getitem",
        lambda x: x[:, [0, 2], 1],
        [randn(2, 3, 4)],
        lambda x: x[:, [0, 2], 1],
        id="getitem-advanced-with-int",
    ),
    Case("getitem", lambda x, m: x[m], [randn(3, 4), MASK], lambda x, m: x[m], id="getitem-mask"),
    Case(
        "getitem",
        lambda x, i: ops.take(x, i, axis=1),
        [randn(3, 4), numpy.array([3, -1, 0, 3])],
        lambda x, i: numpy.take(x, i, axis=1),
        id="take",
    ),
    Case(
        "getitem",
        lambda x: ops.take(x, numpy.array([[5, 0], [5, 11]])),
        [randn(3, 4)],
        lambda x: numpy.take(x, [[5, 0], [5, 11]]),
        id="take-flat",
        covers=("reshape",),
    ),
    Case(
        "getitem",
        lambda x, i: ops.take_along_axis(x, i, axis=1),
        [randn(3, 4), numpy.array([[0, 3], [1, 1], [2, 0]])],
        lambda x, i: numpy.take_along_axis(x, i, axis=1),
        id="take_along_axis",
    ),
    Case("getitem", lambda x: ops.flip(x, axis=1), [randn(2, 3)], lambda x: numpy.flip(x, 1), id="flip"),
    Case("getitem", lambda x: ops.roll(x, 1, axis=0), [randn(3, 2)], lambda x: numpy.roll(x, 1, 0), id="roll"),
    Case("reshape_like", lambda x: ops.roll(x, -2), [randn(2, 3)], lambda x: numpy.roll(x, -2), id="roll-flat"),
    Case(
        "getitem",
        lambda x: ops.tile(x, (2, 1, 3)),
        [randn(2, 2)],
        lambda x: numpy.tile(x, (2, 1, 3)),
        id="tile",
        covers=("expand_dims",),
    ),
    Case("getitem", lambda x: ops.repeat(x, 2, axis=1), [randn(2, 3)], lambda x: numpy.repeat(x, 2, 1), id="repeat"),
    Case(
        "getitem",
        lambda x: ops.repeat(x, [1, 0, 2]),
        [randn(3)],
        lambda x: numpy.repeat(x, [1, 0, 2]),
        id="repeat-counts",
    ),
    Case(
        "scatter",
        lambda v: ops.scatter(numpy.array([[0, 1], [2, 0], [0, 1]]), v, (3, 2)),
        [randn(3)],
        lambda v: _scatter(numpy.array([[0, 1], [2, 0], [0, 1]]), v, (3, 2)),
    ),
    Case(
        "scatter",
        lambda v: ops.scatter(numpy.array([[1], [1]]), v, (3, 2)),
        [randn(2, 2)],
        lambda v: _scatter(numpy.array([[1], [1]]), v, (3, 2)),
        id="scatter-rows",
    ),
    Case(
        "scatter",
        lambda x, u: ops.scatter_update(x, numpy.array([[0, 1], [2, 0]]), u),
        [randn(3, 2), randn(2, seed=1)],
        lambda x, u: _scatter_update(x, ((0, 2), (1, 0)), u),
        id="scatter_update",
    ),
    Case(
        "scatter",
        lambda x: ops.segment_sum(x, numpy.array([0, 2, 0])),
        [randn(3, 2)],
        lambda x: numpy.stack([x[0] + x[2], numpy.zeros(2), x[1]]),
        id="segment_sum",
    ),
    Case("getitem", lambda x: ops.slice(x, (1, 0), (2, 2)), [randn(3, 4)], lambda x: x[1:3, 0:2], id="slice"),
    Case(
        "pad",
        lambda x, u: ops.slice_update(x, (1, 2), u),
        [randn(3, 4), randn(2, 2, seed=1)],
        lambda x, u: _slice_update(x, (slice(1, 3), slice(2, 4)), u),
        id="slice_update",
    ),
    Case("where", lambda x: ops.tril(x, -1), [randn(3, 4)], lambda x: numpy.tril(x, -1), id="tril"),
    Case("where", lambda x: ops.triu(x, 1), [randn(2, 3, 3)], lambda x: numpy.triu(x, 1), id="triu"),
    Case(
        "pad",
        lambda x: ops.pad(x, ((1, 0), (2, 1)), constant_values=0.5),
        [randn(2, 3)],
        lambda x: numpy.pad(x, ((1, 0), (2, 1)), constant_values=0.5),
    ),
    Case(
        "getitem",
        lambda x: ops.pad(x, 2, mode="reflect"),
        [randn(3, 4)],
        lambda x: numpy.pad(x, 2, mode="reflect"),
        id="pad-reflect",
    ),
    Case(
        "getitem",
        lambda x: ops.pad(x, ((0, 0), (1, 2)), mode="symmetric"),
        [randn(2, 3)],
        lambda x: numpy.pad(x, ((0, 0), (1, 2)), mode="symmetric"),
        id="pad-symmetric",
    ),
]

CREATION = [
    Case("zeros_like", ops.zeros_like, [randn(2, 3)], numpy.zeros_like, grad=False),
    Case(
        "zeros_like",
        lambda x: ops.zeros_like(x, dtype="int32"),
        [randn(2, 3)],
        lambda x: numpy.zeros_like(x, dtype="int32"),
        grad=False,
        id="zeros_like-dtype",
    ),
    Case("ones_like", ops.ones_like, [randn(2, 3)], numpy.ones_like, grad=False),
    Case(
        "zeros_like",
        lambda x: ops.full_like(x, 2.5),
        [randn(2, 3)],
        lambda x: numpy.full_like(x, 2.5),
        id="full_like",
        covers=("cast",),
    ),
    Case("full", lambda x: x + ops.full((2, 3), 0.5), [randn(2, 3)], lambda x: x + 0.5),
    Case("full", lambda x: x * ops.ones(3) + ops.zeros((2, 1)), [randn(2, 3)], lambda x: x, id="ones-zeros"),
    Case("arange", lambda x: x * ops.arange(1, 7, 2), [randn(2, 3)], lambda x: x * numpy.arange(1, 7, 2)),
    Case(
        "arange",
        lambda x: ops.arange(0.5, 2.0, 0.5) + x,
        [randn(3)],
        lambda x: numpy.arange(0.5, 2, 0.5) + x,
        id="arange-float",
    ),
    Case(
        "cast",
        lambda x: ops.linspace(0.0, 1.0, 3) * x,
        [randn(2, 3)],
        lambda x: numpy.linspace(0, 1, 3) * x,
        id="linspace",
    ),
    Case("eye", lambda x: ops.eye(3, 4, k=1) * x, [randn(3, 4)], lambda x: numpy.eye(3, 4, 1) * x),
    Case("eye", lambda x: ops.matmul(ops.identity(3), x), [randn(3, 2)], lambda x: x, id="identity"),
    Case("cast", lambda x: ops.cast(x, "int32"), [randn(2, 3) * 5], lambda x: x.astype("int32"), grad=False),
    Case(
        "cast",
        lambda x: ops.cast(ops.cast(x, "float64") * 2.0, x.dtype),
        [randn(2, 3)],
        lambda x: x * 2,
        id="cast-float-roundtrip",
    ),
    Case("stop_gradient", lambda x: x * ops.stop_gradient(x), [randn(2, 3)], lambda x: x * x, grad=False),
    Case(
        "cast",
        lambda x: ops.convert_to_tensor([[1.0, 2.0, 3.0]]) * x,
        [randn(2, 3)],
        lambda x: numpy.array([[1.0, 2.0, 3.0]], "float32") * x,
        id="convert_to_tensor",
    ),
]

CHECKS = [
    Case(
        "check_range",
        lambda x: check_range(x, low=-10, high=10, message="{value} out of range", error="ValueError"),
        [randn(2, 3)],
        lambda x: x,
    ),
    Case(
        "check_range",
        lambda x, i: ops.take(x, i, axis=1),
        [randn(2, 3), numpy.array([2, -3, 0])],
        lambda x, i: x[:, i],
        id="take-checks-its-indices",
    ),
    Case(
        "check_range",
        lambda i, v: ops.scatter(i, v, (3, 2)),
        [numpy.array([[0, 1], [2, -2], [0, 1]]), randn(3)],
        lambda i, v: _scatter(i % numpy.array([3, 2]), v, (3, 2)),
        id="scatter-checks-each-coordinate",
    ),
]

CASES = ARITHMETIC + UNARY + PREDICATES + REDUCTIONS + LINALG + SHAPES + CREATION + CHECKS
