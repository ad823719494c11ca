"""Probabilistic losses (Keras 3): the cross-entropies, KL divergence and Poisson, as functions of
(y_true, y_pred) and as Loss classes. The cross-entropy kernels are `ops.*_crossentropy`."""

import warnings

from kerasish import ops
from kerasish.backend import epsilon
from kerasish.backends import dispatch
from kerasish.backends.primitives.crossentropy import sparse_softmax_crossentropy_mean

from .loss import MEAN_REDUCTIONS, Loss, LossFunctionWrapper, targets_are_class_indices


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def categorical_inputs(loss_name, y_true, y_pred, label_smoothing, axis):
    """`(y_true, y_pred)` of a categorical loss: checked, cast to y_pred's dtype, and y_true smoothed."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {loss_name}, expected y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = categorical_inputs("categorical_crossentropy", y_true, y_pred, label_smoothing, axis)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


@targets_are_class_indices
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Integer labels against class scores. A label outside [0, num_classes) (other than `ignore_class`) is a
    ValueError on both engines: `ops.sparse_categorical_crossentropy` checks the labels when it runs."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    valid = ops.not_equal(y_true, ignore_class)
    y_true = ops.where(valid, y_true, 0)
    # ignored rows get uniform scores (Keras uses zeros, which give 0/0 when y_pred are probabilities)
    y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, 1.0)
    losses = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    return ops.where(valid, losses, 0.0)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p ** q) / q, where p is the predicted probability of the true class (integer labels)."""
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.cast(y_true, "int32")
    if len(labels.shape) == len(y_pred.shape):
        if labels.shape[-1] != 1:
            raise ValueError(
                "categorical_generalized_cross_entropy: `y_true` must hold integer class indices of shape "
                f"(batch_size,) or (batch_size, 1). Received: y_true.shape={tuple(labels.shape)}, "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        labels = ops.squeeze(labels, axis=-1)
    true_class = ops.cast(ops.one_hot(labels, y_pred.shape[-1]), y_pred.dtype)
    probability = ops.sum(y_pred * true_class, axis=-1)
    return (1.0 - ops.power(probability, q)) / q


def kl_divergence(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true = ops.clip(y_true, epsilon(), 1.0)
    y_pred = ops.clip(y_pred, epsilon(), 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    return ops.mean(y_pred - y_true * ops.log(y_pred + epsilon()), axis=-1)


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """With `ignore_class`, entries of that class are masked out: the mean runs over the others."""

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is None and self._one_mean_op(y_true, y_pred):
            return sparse_softmax_crossentropy_mean(y_true, y_pred, axis=self._fn_kwargs["axis"])
        return super().__call__(y_true, y_pred, sample_weight)

    def _one_mean_op(self, y_true, y_pred):
        """Whether the loss is the mean of `sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)` as
        they are (which `sparse_softmax_crossentropy_mean` computes, eagerly as one op): from logits, nothing
        masked, a mean reduction, and nothing for `Loss.__call__` to do but that: no conversion (tensors, y_pred of
        the loss's dtype, class indices of an integer dtype or that one), no squeeze (labels one axis short of
        scores whose last axis is not 1), no loss shape kept unreduced ((), (0,))."""
        kwargs = self._fn_kwargs
        if not kwargs["from_logits"] or kwargs["ignore_class"] is not None or self.ignore_class is not None:
            return False
        if self.reduction not in MEAN_REDUCTIONS or not (
            dispatch.is_registered(y_true) and dispatch.is_registered(y_pred)
        ):
            return False
        labels = y_true.dtype
        if y_pred.dtype != self.dtype or not (labels.kind in "iu" or labels == self.dtype):
            return False
        shape = tuple(y_true.shape)
        return len(y_pred.shape) == len(shape) + 1 and y_pred.shape[-1] != 1 and shape not in ((), (0,))

    def compute_mask(self, y_true, y_pred, losses):
        if self.ignore_class is None:
            return None
        if len(y_true.shape) == len(y_pred.shape) and y_true.shape[self.axis] == 1:
            y_true = ops.squeeze(y_true, axis=self.axis)
        return ops.not_equal(y_true, self.ignore_class)


class KLDivergence(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy (Zhang & Sabuncu 2018), robust to noisy labels: close to the
    cross-entropy as q -> 0, to the mean absolute error as q -> 1."""

    def __init__(
        self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy", dtype=None
    ):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q)
        self.q = q

    def get_config(self):
        return {**Loss.get_config(self), "q": self.q}
