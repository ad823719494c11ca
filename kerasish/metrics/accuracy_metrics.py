"""Accuracy metrics (Keras 3): the fraction of predictions that match the labels, averaged over
every sample seen; each as a function and as a MeanMetricWrapper class."""

from kerasish import ops
from kerasish.backend import floatx
from kerasish.losses.loss import squeeze_or_expand_to_same_rank

from .reduction_metrics import MeanMetricWrapper


def _matches(y_true, y_pred):
    return ops.cast(ops.equal(y_true, y_pred), floatx())


def accuracy(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    return _matches(*squeeze_or_expand_to_same_rank(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _matches(y_true, ops.cast(ops.greater(y_pred, threshold), y_true.dtype))


def categorical_accuracy(y_true, y_pred):
    return _matches(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1))


def _sparse_labels(y_true, y_pred):
    """Integer labels of shape y_pred.shape[:-1] (a trailing size-1 axis is dropped)."""
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = _sparse_labels(y_true, y_pred)
    return _matches(ops.cast(y_true, floatx()), ops.cast(ops.argmax(y_pred, axis=-1), floatx()))


def in_top_k(labels, y_pred, k):
    """Whether each label's score is among the k largest of its row: fewer than k scores beat it
    (so ties at the boundary count as in, as in Keras's `in_top_k`)."""
    classes = y_pred.shape[-1]
    label_score = ops.sum(
        ops.one_hot(ops.cast(labels, "int32"), classes, dtype=y_pred.dtype) * y_pred, axis=-1, keepdims=True
    )
    higher = ops.sum(ops.cast(ops.greater(y_pred, label_score), "int32"), axis=-1)
    return ops.cast(ops.less(higher, k), floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = ops.convert_to_tensor(y_pred)
    return in_top_k(ops.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = ops.convert_to_tensor(y_pred)
    return in_top_k(_sparse_labels(y_true, y_pred), y_pred, k)


class Accuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
