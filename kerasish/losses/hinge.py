"""Hinge losses (Keras 3) for labels in {-1, 1} (labels in {0, 1} are mapped onto them)."""

from kerasish import ops

from .loss import LossFunctionWrapper


def _hinge_labels(y_true):
    """Labels that are all 0 or 1 become -1 or 1; other labels are used as they are."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _margins(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = _hinge_labels(ops.cast(y_true, y_pred.dtype))
    return ops.maximum(1.0 - y_true * y_pred, 0.0)


def hinge(y_true, y_pred):
    return ops.mean(_margins(y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    return ops.mean(ops.square(_margins(y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    positive = ops.sum(y_true * y_pred, axis=-1)
    negative = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(negative - positive + 1.0, 0.0)


class Hinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)
