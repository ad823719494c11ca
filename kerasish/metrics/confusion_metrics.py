"""Confusion-matrix metrics (Keras 3): TruePositives/FalsePositives/TrueNegatives/FalseNegatives,
Precision, Recall, the rate-at-rate metrics (PrecisionAtRecall, RecallAtPrecision,
SensitivityAtSpecificity, SpecificityAtSensitivity) and AUC, accumulated over batches at one or more
thresholds."""

from kerasish import ops
from kerasish.backend import epsilon

from .confusion_counts import KINDS, NEG_INF, evenly_distributed, parse_thresholds, update_confusion_matrix_variables
from .metric import Metric


class _ThresholdCounts(Metric):
    """Counts of the `kinds` at the given thresholds, one Variable per kind."""

    kinds = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k, self.class_id = top_k, class_id
        self.thresholds = parse_thresholds(thresholds, default=0.5 if top_k is None else NEG_INF)
        self._clip = evenly_distributed(self.thresholds)
        for kind in self.kinds:
            setattr(self, kind, self.add_variable(shape=(len(self.thresholds),), name=kind))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {kind: getattr(self, kind) for kind in self.kinds},
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            clip_predictions=self._clip,
        )

    def ratio(self, numerator, other):
        """numerator / (numerator + other) per threshold (0 where both are 0); a scalar for one threshold."""
        result = ops.divide_no_nan(numerator, numerator + other)
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class _ConfusionCount(_ThresholdCounts):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def result(self):
        count = getattr(self, self.kinds[0])
        return count[0] if len(self.thresholds) == 1 else ops.cast(count, self.dtype)


class TruePositives(_ConfusionCount):
    _direction = "up"
    kinds = ("true_positives",)


class FalsePositives(_ConfusionCount):
    _direction = "down"
    kinds = ("false_positives",)


class TrueNegatives(_ConfusionCount):
    _direction = "up"
    kinds = ("true_negatives",)


class FalseNegatives(_ConfusionCount):
    _direction = "down"
    kinds = ("false_negatives",)


class Precision(_ThresholdCounts):
    _direction = "up"
    kinds = ("true_positives", "false_positives")

    def result(self):
        return self.ratio(self.true_positives, self.false_positives)

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Recall(_ThresholdCounts):
    _direction = "up"
    kinds = ("true_positives", "false_negatives")

    def result(self):
        return self.ratio(self.true_positives, self.false_negatives)

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class _SensitivitySpecificityBase(Metric):
    """Counts of all four kinds at `num_thresholds` thresholds (0, evenly spaced ones, 1; one
    threshold is 0.5); `result` is the best `dependent` rate over the thresholds whose `constrained`
    rate is at least `value` (0 where none is)."""

    _direction = "up"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(
                f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}"
            )
        self.value, self.class_id, self.num_thresholds = value, class_id, num_thresholds
        if num_thresholds == 1:
            self.thresholds, self._clip = [0.5], False
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._clip = [0.0] + inner + [1.0], True
        for kind in KINDS:
            setattr(self, kind, self.add_variable(shape=(len(self.thresholds),), name=kind))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {kind: getattr(self, kind) for kind in KINDS},
            y_true,
            y_pred,
            self.thresholds,
            class_id=self.class_id,
            sample_weight=sample_weight,
            clip_predictions=self._clip,
        )

    def rates(self):
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        return {
            "sensitivity": ops.divide_no_nan(tp, tp + fn),  # = recall
            "specificity": ops.divide_no_nan(tn, tn + fp),
            "precision": ops.divide_no_nan(tp, tp + fp),
        }

    def best(self, constrained, dependent):
        rates = self.rates()
        feasible = ops.greater_equal(rates[constrained], self.value)
        return ops.max(ops.where(feasible, rates[dependent], 0.0), initial=0.0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds}


def _rate(argument, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{argument}` must be in the range [0, 1]. Received: {argument}={value}")
    return value


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.specificity = _rate("specificity", specificity)
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self.best("specificity", "sensitivity")

    def get_config(self):
        return {**super().get_config(), "specificity": self.specificity}


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.sensitivity = _rate("sensitivity", sensitivity)
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self.best("sensitivity", "specificity")

    def get_config(self):
        return {**super().get_config(), "sensitivity": self.sensitivity}


class PrecisionAtRecall(_SensitivitySpecificityBase):
    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.recall = _rate("recall", recall)
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self.best("sensitivity", "precision")

    def get_config(self):
        return {**super().get_config(), "recall": self.recall}


class RecallAtPrecision(_SensitivitySpecificityBase):
    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.precision = _rate("precision", precision)
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self.best("precision", "sensitivity")

    def get_config(self):
        return {**super().get_config(), "precision": self.precision}


CURVES = ("ROC", "PR")
SUMMATION_METHODS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at `num_thresholds` thresholds
    (0 - epsilon, evenly spaced ones, 1 + epsilon), summed like Keras: trapezoids ("interpolation"; for
    PR the Davis & Goadrich interpolation), or the larger ("majoring") / smaller ("minoring") height."""

    _direction = "up"

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        super().__init__(name=name, dtype=dtype)
        self.curve = _choice("curve", curve, CURVES, str.upper)
        self.summation_method = _choice("summation_method", summation_method, SUMMATION_METHODS, str.lower)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(parse_thresholds(thresholds, default=None))
            self._clip = evenly_distributed([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}"
                )
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._clip = True
        self.num_thresholds = len(inner) + 2
        self._thresholds = [0.0 - epsilon()] + inner + [1.0 + epsilon()]
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else ops.convert_to_tensor(label_weights, dtype=self.dtype)
        self._label_weights_config = label_weights
        self._from_logits = from_logits
        self._built = False
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        if not multi_label or num_labels:
            self._build(num_labels)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, labels):
        shape = (self.num_thresholds, labels) if self.multi_label else (self.num_thresholds,)
        for kind in KINDS:
            setattr(self, kind, self.add_variable(shape=shape, name=kind))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            if len(y_pred.shape) != 2:
                raise ValueError(
                    f"AUC '{self.name}': `y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {len(y_pred.shape)}. Full shape received for `y_pred`: "
                    f"{tuple(y_pred.shape)}"
                )
            self._build(y_pred.shape[1])
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {kind: getattr(self, kind) for kind in KINDS},
            y_true,
            y_pred,
            self._thresholds,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            clip_predictions=self._clip,
        )

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._per_label_mean(self._interpolated_pr_areas())
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = ops.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ops.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, ops.divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._per_label_mean((x[:-1] - x[1:]) * heights)

    def _interpolated_pr_areas(self):
        """Davis & Goadrich (2006): precision interpolated between thresholds, integrated over recall."""
        tp = self.true_positives
        positives = tp + self.false_positives
        d_tp = tp[:-1] - tp[1:]
        d_positives = positives[:-1] - positives[1:]
        slope = ops.divide_no_nan(d_tp, ops.maximum(d_positives, 0.0))
        intercept = tp[1:] - slope * positives[1:]
        both_positive = ops.logical_and(ops.greater(positives[:-1], 0.0), ops.greater(positives[1:], 0.0))
        ratio = ops.where(
            both_positive,
            ops.divide_no_nan(positives[:-1], ops.maximum(positives[1:], 0.0)),
            ops.ones_like(positives[1:]),
        )
        return ops.divide_no_nan(
            slope * (d_tp + intercept * ops.log(ratio)), ops.maximum(tp[1:] + self.false_negatives[1:], 0.0)
        )

    def _per_label_mean(self, areas):
        if not self.multi_label:
            return ops.sum(areas)
        by_label = ops.sum(areas, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return ops.divide_no_nan(ops.sum(by_label * self.label_weights), ops.sum(self.label_weights))

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self._label_weights_config,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _choice(argument, value, allowed, normalize):
    if not isinstance(value, str) or normalize(value) not in allowed:
        raise ValueError(f"Invalid AUC {argument} value: {value!r}. Expected values are {list(allowed)}")
    return normalize(value)
