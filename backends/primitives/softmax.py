"""softmax and log_softmax as fused, numerically stable primitives (Keras `ops.softmax`, `ops.log_softmax`)."""

import warnings

from ..kernels import softmax as kernels
from .elementwise import float_dtype, floating
from .registry import export, normalize_axis, ops, primitive, shape_of


def _axis_infer(name):
    def infer(shapes, dtypes, axis):
        normalize_axis(name, axis, len(shapes[0]))
        return tuple(shapes[0]), float_dtype(dtypes[0])  # integers and bools give floatx, as in Keras

    return infer


def _softmax_vjp(g, inputs, output, needs, axis):
    return (output * (g - ops.sum(g * output, axis=axis, keepdims=True)),)


def _log_softmax_vjp(g, inputs, output, needs, axis):
    return (g - ops.exp(output) * ops.sum(g, axis=axis, keepdims=True),)


_softmax = primitive(
    "softmax",
    lambda xp, x, axis: kernels.softmax(xp, floating(x), axis),
    _softmax_vjp,
    _axis_infer("softmax"),
    saves=("output",),
)
_log_softmax = primitive(
    "log_softmax",
    lambda xp, x, axis: kernels.log_softmax(xp, floating(x), axis),
    _log_softmax_vjp,
    _axis_infer("log_softmax"),
    saves=("output",),
)


def _axis_attr(axis):
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else axis


@export
def softmax(x, axis=-1):
    shape = shape_of(x)
    if isinstance(axis, int) and -len(shape) <= axis < len(shape) and shape[axis] == 1:
        warnings.warn(
            f"You are using a softmax over axis {axis} of a tensor of shape {shape}. This axis "
            "has size 1. The softmax operation will always return the value 1, which is likely "
            "not what you intended. Did you mean to use a sigmoid instead?",
            stacklevel=2,
        )
    return _softmax(x, axis=_axis_attr(axis))


@export
def log_softmax(x, axis=-1):
    return _log_softmax(x, axis=_axis_attr(axis))
