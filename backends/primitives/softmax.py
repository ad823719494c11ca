"""softmax and log_softmax as fused, numerically stable primitives (Keras `ops.softmax`, `ops.log_softmax`)."""

import warnings

from ..kernels import softmax as kernels
from .elementwise import float_dtype, floating
from .registry import describe, export, normalize_axis, ops, primitive, result_dtype, shape_of


def _axis_infer(name):
    def infer(shapes, dtypes, axis):
        normalize_axis(name, axis, len(shapes[0]))
        return tuple(shapes[0]), float_dtype(dtypes[0])  # integers and bools give floatx, as in Keras

    return infer


def _softmax_vjp(g, inputs, output, needs, axis):
    return (softmax_gradient(output, g, axis=axis),)


def _softmax_gradient_vjp(h, inputs, output, needs, axis):
    """Of `p * (g - sum(g * p))`: `h * (g - sum(g * p)) - g * sum(h * p)` for p, and softmax's rule again for g."""
    p, g = inputs
    d_p = d_g = None
    if needs[0]:
        d_p = h * (g - ops.sum(g * p, axis=axis, keepdims=True)) - g * ops.sum(h * p, axis=axis, keepdims=True)
    if needs[1]:
        d_g = softmax_gradient(p, h, axis=axis)
    return d_p, d_g


def _softmax_gradient_infer(shapes, dtypes, axis):
    p, g = (tuple(s) for s in shapes)
    normalize_axis("softmax_gradient", axis, len(p))
    if len(p) != len(g) or any(None not in (a, b) and a != b for a, b in zip(p, g)):
        raise ValueError(f"softmax_gradient: the gradient's shape must be the probabilities', got {describe(shapes)}")
    return tuple(b if a is None else a for a, b in zip(p, g)), result_dtype(*dtypes)


def _log_softmax_vjp(g, inputs, output, needs, axis):
    return (g - ops.exp(output) * ops.sum(g, axis=axis, keepdims=True),)


_softmax = primitive(
    "softmax",
    lambda xp, x, axis: kernels.softmax(xp, floating(x), axis),
    _softmax_vjp,
    _axis_infer("softmax"),
    saves=("output",),
)
softmax_gradient = primitive(  # softmax's gradient (and attention's) as one op, not four
    "softmax_gradient",
    lambda xp, p, g, axis: kernels.softmax_gradient(xp, p, g, axis),
    _softmax_gradient_vjp,
    _softmax_gradient_infer,
    saves=(0, 1),
    fresh=True,
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
