"""Reductions over axes: sum, mean, max, ... with axis/keepdims as in numpy."""
from .registry import broadcast_like, export, normalize_axis, ops, primitive


def _reduce_infer(name):
    def infer(shapes, dtypes, axis=None, keepdims=False):
        shape = shapes[0]
        axes = normalize_axis(name, axis, len(shape))
        if keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(shape)), dtypes[0]
        return tuple(d for i, d in enumerate(shape) if i not in axes), dtypes[0]
    return infer


def _restore_axes(g, inputs, axis, keepdims):
    """Put reduced axes back as size 1 so the gradient broadcasts against the input."""
    if keepdims or axis is None:
        return g
    ndim = len(inputs[0].shape)
    return ops.expand_dims(g, normalize_axis("sum", axis, ndim))


_sum = primitive(
    "sum",
    forward=lambda xp, x, axis=None, keepdims=False: xp.sum(x, axis=axis, keepdims=keepdims),
    vjp=lambda g, inputs, out, needs, axis=None, keepdims=False: (
        broadcast_like(_restore_axes(g, inputs, axis, keepdims), inputs[0]),),
    infer=_reduce_infer("sum"))


@export
def sum(x, axis=None, keepdims=False):
    return _sum(x, axis=_axis_attr(axis), keepdims=bool(keepdims))


def _axis_attr(axis):
    """Attributes must be hashable and JSON-friendly: a list of axes becomes a tuple."""
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else axis
