"""Weighted counts of true/false positives/negatives at a list of thresholds (Keras's
`update_confusion_matrix_variables`), accumulated into metric Variables with assign.

A prediction is positive at threshold t when it is greater than t. Every threshold is compared at
once: predictions get a leading thresholds axis, and the counts are sums over the samples.
"""

import numpy

from kerasish import ops
from kerasish.backend import epsilon
from kerasish.losses.loss import squeeze_or_expand_to_same_rank

NEG_INF = -1e10
KINDS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def parse_thresholds(thresholds, default):
    """Thresholds as a list; each given one must lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    invalid = [t for t in values if t is None or not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return values


def evenly_distributed(thresholds):
    """Thresholds i/(n-1) for i in 0..n-1 (up to epsilon), the case where Keras clips predictions to [0, 1]."""
    count = len(thresholds)
    return count >= 3 and all(
        abs(threshold - index / (count - 1)) <= epsilon() + 1e-5 * index / (count - 1)
        for index, threshold in enumerate(thresholds)
    )  # numpy.allclose's test


def top_k_filter(y_pred, k):
    """Scores outside the k largest of their row become NEG_INF."""
    higher = ops.sum(ops.cast(ops.greater(ops.expand_dims(y_pred, -2), ops.expand_dims(y_pred, -1)), "int32"), axis=-1)
    keep = ops.less(higher, k)
    return ops.where(keep, y_pred, NEG_INF)


def update_confusion_matrix_variables(
    variables,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    clip_predictions=False,
):
    """Add this batch's counts to `variables` ({kind: Variable}, kinds from KINDS).

    The counts have shape (len(thresholds),), or (len(thresholds), labels) with multi_label.
    """
    dtype = next(iter(variables.values())).dtype
    y_true, y_pred = ops.cast(y_true, dtype), ops.cast(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = ops.expand_dims(ops.cast(sample_weight, dtype), axis=-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = top_k_filter(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}"
            )
        y_true, y_pred = y_true[..., class_id : class_id + 1], y_pred[..., class_id : class_id + 1]
    if clip_predictions:
        y_pred = ops.clip(y_pred, 0.0, 1.0)
    weights = None if sample_weight is None else sample_weight * ops.ones_like(y_pred)
    if label_weights is not None:
        label_weights = label_weights * ops.ones_like(y_pred)
        weights = label_weights if weights is None else weights * label_weights
    if not multi_label:
        y_true, y_pred = ops.reshape(y_true, (-1,)), ops.reshape(y_pred, (-1,))
        weights = None if weights is None else ops.reshape(weights, (-1,))
    levels = ops.reshape(
        ops.convert_to_tensor(numpy.asarray(thresholds, dtype=numpy.dtype(dtype).name)),
        (len(thresholds),) + (1,) * len(y_pred.shape),
    )
    predicted = ops.greater(ops.expand_dims(y_pred, 0), levels)
    actual = ops.expand_dims(ops.cast(y_true, "bool"), 0)
    conditions = {
        "true_positives": (actual, predicted),
        "false_positives": (ops.logical_not(actual), predicted),
        "true_negatives": (ops.logical_not(actual), ops.logical_not(predicted)),
        "false_negatives": (actual, ops.logical_not(predicted)),
    }
    for kind, variable in variables.items():
        hits = ops.cast(ops.logical_and(*conditions[kind]), dtype)
        if weights is not None:
            hits = hits * ops.expand_dims(weights, 0)
        variable.assign(variable + ops.sum(hits, axis=1))
