"""one_hot as Keras's `ops.one_hot`: negative or out-of-range indices give an all-zero row."""

import numpy

from .. import config
from .registry import export, ops, primitive, shape_of


def _forward(xp, x, num_classes, axis, dtype):
    hot = (x[..., None] == xp.arange(num_classes)).astype(dtype)
    return hot if axis == -1 else xp.moveaxis(hot, -1, axis)


def _infer(shapes, dtypes, num_classes, axis, dtype):
    shape = list(shapes[0])
    rank = len(shape) + 1
    if not -rank <= axis < rank:
        raise ValueError(
            f"one_hot: axis {axis} is out of bounds for an output of rank {rank} (input shape {tuple(shapes[0])})"
        )
    shape.insert(axis % rank, num_classes)
    return tuple(shape), numpy.dtype(dtype)


_one_hot = primitive("one_hot", _forward, None, _infer)


@export
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported (kerasish has no sparse tensors)")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, numpy.integer)) or num_classes < 1:
        raise ValueError(
            f"one_hot: num_classes must be a positive int, got {num_classes!r} (input shape {shape_of(x)})"
        )
    return _one_hot(x, num_classes=int(num_classes), axis=int(axis), dtype=str(dtype or config.floatx()))


@export
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """1 at every class an input row names: the maximum of its one-hot rows (`num_tokens` is an old name of
    `num_classes`)."""
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"multi_hot: unexpected keyword arguments {sorted(kwargs)}")
    if num_classes is None:
        raise ValueError("multi_hot: Argument `num_classes` must be specified.")
    if sparse:
        raise ValueError("multi_hot: sparse=True is not supported (kerasish has no sparse tensors)")
    hot = one_hot(ops.cast(inputs, "int32"), num_classes, axis=axis, dtype=dtype)
    return ops.max(hot, axis=1 if len(shape_of(inputs)) > 1 else 0)
