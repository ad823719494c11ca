"""Overlap losses for segmentation (Keras 3): Dice and Tversky, one minus the (weighted) overlap
ratio of y_true and y_pred over `axis` (all axes by default: one value for the batch)."""

from kerasish import ops
from kerasish.backend import epsilon

from .loss import Loss, LossFunctionWrapper


def dice(y_true, y_pred, axis=None):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + epsilon()
    return 1.0 - ops.divide(2.0 * intersection, total)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    missed = ops.sum(y_true * (1.0 - y_pred), axis=axis)
    extra = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    # as Keras computes it (its code calls `missed` the false positives): alpha weighs `missed`
    denominator = intersection + missed * alpha + extra * beta + epsilon()
    return 1.0 - ops.divide(intersection, denominator)


class Dice(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self):
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}
