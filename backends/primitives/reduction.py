"""Reductions over axes as Keras's ops: sum, mean, max, min, prod, var, std, logsumexp, argmax,
argmin, all, any, each with `axis` (None, an int or a tuple) and `keepdims`.

dtypes follow Keras: bool, int8 and int16 sums are int32 (uint8/uint16 uint32), other integer sums
keep their dtype; mean, var and std of integers are floatx; argmax/argmin are int32.
Gradients: max and min share the gradient evenly among tied extrema (as TensorFlow and JAX do);
prod divides the product by each element, so its gradient is only defined for non-zero inputs.
"""

import functools

import numpy

from .elementwise import float_dtype
from .registry import dtype_of, export, normalize_axis, ops, primitive, result_dtype, same_as_first, shape_of

_WIDENED = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}


@functools.lru_cache(maxsize=None)
def sum_dtype(dtype):
    dtype = numpy.dtype(result_dtype(dtype))
    return numpy.dtype(_WIDENED.get(dtype.name, dtype))


@functools.lru_cache(maxsize=None)
def _accumulator(dtype):
    """The `dtype=` a sum or product kernel needs: None (the input's own) unless Keras widens it."""
    return None if dtype.kind in "fc" else sum_dtype(dtype)


def _same(dtype):
    return numpy.dtype(result_dtype(dtype))


def _bool(dtype):
    return numpy.dtype(bool)


def _int32(dtype):
    return numpy.dtype("int32")


def reduced_shape(name, shape, axis, keepdims):
    axes = normalize_axis(name, axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce_infer(name, dtype_rule):
    def infer(shapes, dtypes, axis=None, keepdims=False):
        return reduced_shape(name, shapes[0], axis, keepdims), dtype_rule(dtypes[0])

    return infer


def axis_attr(axis):
    """Attributes must be hashable and JSON-friendly: a list of axes becomes a tuple of ints. A value that is
    no int is kept as it is, for the op's shape rule to refuse by name (`normalize_axis`)."""
    if isinstance(axis, (list, tuple)):
        return tuple(_int_or_as_is(a) for a in axis)
    return None if axis is None else _int_or_as_is(axis)


def _int_or_as_is(value):
    return int(value) if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool) else value


def restore_axes(g, x, axis, keepdims):
    """Put reduced axes back as size 1 so that `g` broadcasts against the input `x`."""
    if keepdims or axis is None:
        return g
    return ops.expand_dims(g, normalize_axis("reduction", axis, len(shape_of(x))))


def reduction(name, forward, vjp=None, dtype_rule=_same, saves=None, fresh=True):
    """A reduction primitive; numpy's reductions return a new array (`fresh`)."""
    return primitive(name, forward, vjp, _reduce_infer(name, dtype_rule), saves, fresh=fresh)


# Up to this many elements the spread is written out: cheaper than numpy's `broadcast_to` (~2.5 µs of Python).
_WRITTEN_OUT = 4096


@functools.lru_cache(maxsize=1024)
def _spread_shapes(shape, axis, keepdims):
    """(the shape of the reduction's result, that shape with the reduced axes kept as size 1)."""
    kept = reduced_shape("spread_reduced", shape, axis, True)
    return (kept if keepdims else reduced_shape("spread_reduced", shape, axis, False)), kept


def _spread_forward(xp, g, like, axis=None, keepdims=False, mean=False):
    shape = like.shape
    reduced, kept = _spread_shapes(shape, axis, keepdims)
    if g.shape != reduced:
        raise ValueError(f"spread_reduced: a gradient of shape {g.shape} for a reduction of {shape} to {reduced}")
    if g.size == like.size:  # the reduced axes have size 1: each output gathered one element
        return g.reshape(shape)
    g = g.reshape(kept)
    if mean:
        return xp.true_divide(g, like.size // (g.size or 1), out=xp.empty(shape, g.dtype))
    if like.size > _WRITTEN_OUT:
        return xp.broadcast_to(g, shape)
    spread = xp.empty(shape, g.dtype)
    spread[...] = g
    return spread


def _spread_infer(shapes, dtypes, axis=None, keepdims=False, mean=False):
    reduced = reduced_shape("spread_reduced", shapes[1], axis, keepdims)
    clashes = [a for a, b in zip(shapes[0], reduced) if a is not None and b is not None and a != b]
    if len(shapes[0]) != len(reduced) or clashes:
        raise ValueError(
            f"spread_reduced: a gradient of shape {tuple(shapes[0])} for a reduction of {tuple(shapes[1])} to {reduced}"
        )
    return tuple(shapes[1]), same_as_first(shapes, dtypes)[1]


def _spread_vjp(g, inputs, output, needs, axis=None, keepdims=False, mean=False):
    return ((_mean if mean else _sum)(g, axis=axis, keepdims=keepdims), None)


# A sum's or mean's gradient in one op: `g` with the reduced axes of `like` restored and broadcast
# over them, divided by the number of elements each output gathered for a mean (read from the
# run-time shapes, so unknown static dimensions need no extra ops). Its own gradient is the reduction.
_spread_reduced = primitive("spread_reduced", _spread_forward, _spread_vjp, _spread_infer, saves=(), shape_only=(1,))

_sum = reduction(
    "sum",
    lambda xp, x, axis=None, keepdims=False: x.sum(axis=axis, keepdims=keepdims, dtype=_accumulator(x.dtype)),
    lambda g, inputs, out, needs, axis=None, keepdims=False: (
        _spread_reduced(g, inputs[0], axis=axis, keepdims=keepdims),
    ),
    sum_dtype,
    saves=(),
)


def _mean_forward(xp, x, axis=None, keepdims=False):
    """numpy's mean; for float32/64 as its sum over the count, which is what numpy computes, without the
    microseconds of Python checks around it (a loss takes a mean on every step)."""
    if x.dtype.kind != "f" or x.dtype.itemsize < 4 or not x.size:
        return x.mean(axis=axis, keepdims=keepdims, dtype=None if x.dtype.kind in "fc" else float_dtype(x.dtype))
    total = x.sum(axis=axis, keepdims=keepdims)
    return xp.true_divide(total, x.size // (total.size or 1), dtype=x.dtype)


_mean = reduction(
    "mean",
    _mean_forward,
    lambda g, inputs, out, needs, axis=None, keepdims=False: (
        _spread_reduced(g, inputs[0], axis=axis, keepdims=keepdims, mean=True),
    ),
    float_dtype,
    saves=(),
)


def _extremum_vjp(g, inputs, out, needs, axis=None, keepdims=False):
    x = inputs[0]
    hits = ops.cast(ops.equal(x, restore_axes(out, x, axis, keepdims)), dtype_of(x))
    return (hits / ops.sum(hits, axis=axis, keepdims=True) * restore_axes(g, x, axis, keepdims),)


_max = reduction("max", lambda xp, x, axis=None, keepdims=False: x.max(axis=axis, keepdims=keepdims), _extremum_vjp)
_min = reduction("min", lambda xp, x, axis=None, keepdims=False: x.min(axis=axis, keepdims=keepdims), _extremum_vjp)
_prod = reduction(
    "prod",
    lambda xp, x, axis=None, keepdims=False: x.prod(axis=axis, keepdims=keepdims, dtype=_accumulator(x.dtype)),
    lambda g, inputs, out, needs, axis=None, keepdims=False: (
        restore_axes(g * out, inputs[0], axis, keepdims) / inputs[0],
    ),
    sum_dtype,
)
_all = reduction("all", lambda xp, x, axis=None, keepdims=False: x.all(axis=axis, keepdims=keepdims), dtype_rule=_bool)
_any = reduction("any", lambda xp, x, axis=None, keepdims=False: x.any(axis=axis, keepdims=keepdims), dtype_rule=_bool)


def _arg_forward(function):
    def forward(xp, x, axis=None, keepdims=False):
        index = getattr(xp, function)(x, axis=axis).astype("int32")
        if keepdims:
            return index.reshape((1,) * x.ndim) if axis is None else xp.expand_dims(index, axis)
        return index

    return forward


_argmax = reduction("argmax", _arg_forward("argmax"), dtype_rule=_int32)
_argmin = reduction("argmin", _arg_forward("argmin"), dtype_rule=_int32)


@export
def sum(x, axis=None, keepdims=False):
    return _sum(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def mean(x, axis=None, keepdims=False):
    return _mean(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def max(x, axis=None, keepdims=False, initial=None):
    result = _max(x, axis=axis_attr(axis), keepdims=bool(keepdims))
    return result if initial is None else ops.maximum(result, initial)


@export
def min(x, axis=None, keepdims=False, initial=None):
    result = _min(x, axis=axis_attr(axis), keepdims=bool(keepdims))
    return result if initial is None else ops.minimum(result, initial)


@export
def amax(x, axis=None, keepdims=False):
    return _max(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def amin(x, axis=None, keepdims=False):
    return _min(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def prod(x, axis=None, keepdims=False, dtype=None):
    result = _prod(x, axis=axis_attr(axis), keepdims=bool(keepdims))
    return result if dtype is None else ops.cast(result, dtype)


@export
def all(x, axis=None, keepdims=False):
    return _all(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def any(x, axis=None, keepdims=False):
    return _any(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def argmax(x, axis=None, keepdims=False):
    return _argmax(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def argmin(x, axis=None, keepdims=False):
    return _argmin(x, axis=axis_attr(axis), keepdims=bool(keepdims))


@export
def var(x, axis=None, keepdims=False):
    centred = ops.subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(ops.square(centred), axis=axis, keepdims=keepdims)


@export
def std(x, axis=None, keepdims=False):
    return ops.sqrt(var(x, axis=axis, keepdims=keepdims))


@export
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) computed around the maximum (a constant for the gradient), so it cannot overflow."""
    peak = ops.stop_gradient(max(x, axis=axis, keepdims=True))
    peak = ops.where(ops.isfinite(peak), peak, 0.0)
    result = ops.add(ops.log(sum(ops.exp(ops.subtract(x, peak)), axis=axis, keepdims=True)), peak)
    return result if keepdims else ops.squeeze(result, axis=axis)


@export
def count_nonzero(x, axis=None):
    return sum(ops.not_equal(x, 0), axis=axis)


@export
def average(x, axis=None, weights=None):
    """mean(x) without weights; with weights (x's shape, or 1-D along `axis`) sum(x * w) / sum(w)."""
    if weights is None:
        return mean(x, axis=axis)
    rank = len(shape_of(x))
    if axis is not None and len(shape_of(weights)) == 1 and rank > 1:
        position = normalize_axis("average", axis, rank)[0]
        weights = ops.reshape(weights, tuple(-1 if i == position else 1 for i in range(rank)))
    return ops.divide(sum(ops.multiply(x, weights), axis=axis), sum(weights, axis=axis))


# ----- running sums and products ------------------------------------------------------------


def _scan_infer(name):
    def infer(shapes, dtypes, axis):
        normalize_axis(name, axis, len(shapes[0]))
        return tuple(shapes[0]), sum_dtype(dtypes[0])

    return infer


def _reverse_cumsum(g, axis):
    return ops.flip(cumsum(ops.flip(g, axis=axis), axis=axis), axis=axis)


_cumsum = primitive(
    "cumsum",
    lambda xp, x, axis: x.cumsum(axis=axis, dtype=_accumulator(x.dtype)),
    lambda g, inputs, out, needs, axis: (_reverse_cumsum(g, axis),),
    _scan_infer("cumsum"),
)
_cumprod = primitive(
    "cumprod",
    lambda xp, x, axis: x.cumprod(axis=axis, dtype=_accumulator(x.dtype)),
    lambda g, inputs, out, needs, axis: (_reverse_cumsum(g * out, axis) / inputs[0],),
    _scan_infer("cumprod"),
)


def _scan(prim, x, axis, dtype):
    if axis is None:
        x, axis = ops.reshape(x, (-1,)), 0
    result = prim(x, axis=int(axis))
    return result if dtype is None else ops.cast(result, dtype)


@export
def cumsum(x, axis=None, dtype=None):
    return _scan(_cumsum, x, axis, dtype)


@export
def cumprod(x, axis=None, dtype=None):
    """Running product; like prod, its gradient divides by each element (defined for non-zero inputs)."""
    return _scan(_cumprod, x, axis, dtype)
