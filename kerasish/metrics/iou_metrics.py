"""Intersection-over-union metrics (Keras 3): IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU.

They accumulate a weighted confusion matrix (rows: true class, columns: predicted class) over batches;
IoU of a class is TP / (TP + FP + FN), averaged over the target classes that occurred. As in Keras the
state is integer by default (float sample weights are truncated), and class ids outside
[0, num_classes) or equal to `ignore_class` are left out.
"""

import warnings

from kerasish import ops
from kerasish.backend import epsilon

from .metric import Metric


class _IoUBase(Metric):
    _direction = "up"

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1
    ):
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.convert_to_tensor(y_true, dtype=self.dtype), (-1,))
        y_pred = ops.reshape(ops.convert_to_tensor(y_pred, dtype=self.dtype), (-1,))
        if sample_weight is None:
            sample_weight = ops.ones_like(y_true)
        else:
            if "float" in str(getattr(sample_weight, "dtype", "")) and "int" in str(self.dtype):
                warnings.warn(
                    "You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                    "weight due to type casting Consider using integer weights.",
                    stacklevel=2,
                )
            sample_weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
            sample_weight = ops.reshape(sample_weight, (-1,)) * ops.ones_like(y_true)
        counted = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0), ops.less(y_true, self.num_classes)),
            ops.logical_and(ops.greater_equal(y_pred, 0), ops.less(y_pred, self.num_classes)),
        )
        if self.ignore_class is not None:
            counted = ops.logical_and(counted, ops.not_equal(y_true, self.ignore_class))
        sample_weight = ops.where(counted, sample_weight, 0)
        true_classes = ops.one_hot(ops.where(counted, y_true, 0), self.num_classes, dtype=self.dtype)
        predicted_classes = ops.one_hot(ops.where(counted, y_pred, 0), self.num_classes, dtype=self.dtype)
        batch = ops.matmul(ops.transpose(true_classes * ops.expand_dims(sample_weight, -1)), predicted_classes)
        self.total_cm.assign(self.total_cm + batch)

    def reset_state(self):
        self.total_cm.assign(ops.zeros(self.total_cm.shape, dtype=self.total_cm.dtype))


class IoU(_IoUBase):
    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        matrix = ops.cast(self.total_cm, "float32")
        true_positives = ops.diagonal(matrix)
        # predicted + actual counts = 2 TP + FP + FN
        denominator = ops.sum(matrix, axis=0) + ops.sum(matrix, axis=1) - true_positives
        true_positives = ops.take(true_positives, self.target_class_ids)
        denominator = ops.take(denominator, self.target_class_ids)
        present = ops.greater(denominator, 1e-9)  # a class never seen nor predicted does not count
        iou = ops.where(present, true_positives / (denominator + epsilon()), 0.0)
        return ops.sum(iou, axis=self.axis) / (ops.sum(ops.cast(present, "float32")) + epsilon())

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU of classes 0 and/or 1, a prediction being class 1 when it is at least `threshold`."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred, dtype="float32")
        return super().update_state(y_true, ops.greater_equal(y_pred, self.threshold), sample_weight)

    def get_config(self):
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(IoU):
    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1
    ):
        super().__init__(
            num_classes,
            list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU for one-hot targets (and scores, unless `sparse_y_pred`): the class is the argmax over `axis`."""

    def __init__(
        self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1
    ):
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
