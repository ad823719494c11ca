"""Activations along an axis beside softmax: glu (Keras `ops.glu`) and sparsemax (Keras `ops.sparsemax`).

sparsemax is Martins & Astudillo's projection onto the simplex: its outputs sum to 1 along the axis. (Keras
3's own backends compute the threshold from the sum of every cumulative sum in the support rather than the
last one, which gives outputs that do not sum to 1 once the support holds more than one element; kerasish
computes the published function.)
"""

from .elementwise import float_dtype, floating
from .registry import export, normalize_axis, ops, primitive, shape_of


def _sparsemax_forward(xp, x, axis):
    x = floating(x)
    ordered = -xp.sort(-x, axis=axis)
    totals = xp.cumsum(ordered, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    ranks = xp.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(shape)
    support = ordered * ranks > totals - 1
    size = support.sum(axis=axis, keepdims=True)
    total = xp.take_along_axis(totals, size - 1, axis=axis)
    return xp.maximum(x - (total - 1) / size.astype(x.dtype), 0)


def _sparsemax_vjp(g, inputs, output, needs, axis):
    support = ops.cast(ops.greater(output, 0), output.dtype)
    mean = ops.sum(g * support, axis=axis, keepdims=True) / ops.sum(support, axis=axis, keepdims=True)
    return (support * (g - mean),)


def _sparsemax_infer(shapes, dtypes, axis):
    normalize_axis("sparsemax", axis, len(shapes[0]))
    return tuple(shapes[0]), float_dtype(dtypes[0])


_sparsemax = primitive("sparsemax", _sparsemax_forward, _sparsemax_vjp, _sparsemax_infer, saves=("output",))


@export
def sparsemax(x, axis=-1):
    rank = len(shape_of(x))
    if rank == 0:
        raise ValueError(f"sparsemax: the input must have at least one axis, received shape {shape_of(x)}")
    return _sparsemax(x, axis=normalize_axis("sparsemax", axis, rank)[0])


@export
def glu(x, axis=-1):
    """`a * sigmoid(b)`, where `a` and `b` are the two halves of `x` along `axis`."""
    shape = shape_of(x)
    axis = normalize_axis("glu", axis, len(shape))[0]
    if shape[axis] is not None and shape[axis] % 2:
        raise ValueError(f"glu: axis size must be divisible by 2. Received: x.shape={shape} with axis={axis}")
    first, second = ops.split(x, 2, axis=axis)
    return ops.multiply(first, ops.sigmoid(second))
