"""Sorting as Keras's ops: argsort (a primitive, stable like JAX's), sort, top_k and in_top_k (gathers
with the sorted indices, so their gradients are getitem's)."""

import numpy

from .registry import export, normalize_axis, ops, primitive, shape_of


def _argsort_infer(shapes, dtypes, axis):
    normalize_axis("argsort", axis, len(shapes[0]))
    return tuple(shapes[0]), numpy.dtype("int32")


_argsort = primitive(
    "argsort", lambda xp, x, axis: xp.argsort(x, axis=axis, kind="stable").astype("int32"), None, _argsort_infer
)


def _flat(x, axis):
    return (ops.reshape(x, (-1,)), 0) if axis is None else (x, int(axis))


@export
def argsort(x, axis=-1):
    x, axis = _flat(x, axis)
    return _argsort(x, axis=axis)


@export
def sort(x, axis=-1):
    x, axis = _flat(x, axis)
    return ops.take_along_axis(x, _argsort(x, axis=axis), axis=axis)


@export
def top_k(x, k, sorted=True):
    """(values, indices) of the k largest entries along the last axis, largest first; ties keep index order."""
    size = shape_of(x)[-1]
    if k < 1 or (size is not None and k > size):
        raise ValueError(f"top_k: k={k} must be between 1 and the last dimension of an input of shape {shape_of(x)}")
    indices = ops.getitem(_argsort(ops.negative(x), axis=-1), (Ellipsis, slice(None, k)))
    return ops.take_along_axis(x, indices, axis=-1), indices


@export
def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among the k largest of its row (all entries tied with the
    k-th largest count as in, as in TensorFlow)."""
    target_values = ops.take_along_axis(predictions, ops.expand_dims(ops.cast(targets, "int32"), -1), axis=-1)
    return ops.less(ops.sum(ops.greater(predictions, target_values), axis=-1), k)
