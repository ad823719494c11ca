"""The Loss base class and the weighting/reduction every loss shares, as in Keras 3.

`Loss.__call__(y_true, y_pred, sample_weight=None)` computes the per-sample losses with `call`,
multiplies them by the sample weights (and by a mask, where the loss defines one) and reduces them:
"sum_over_batch_size"/"mean" divide the sum by the number of loss values, "sum" does not divide,
"mean_with_sample_weight" divides by the sum of the weights, "none"/None keep every value.
"""

import math

from kerasish import ops
from kerasish.backend import floatx
from kerasish.utils.naming import auto_name

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")
MEAN_REDUCTIONS = ("sum_over_batch_size", "mean")  # the sum over the number of loss values


class Loss:
    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtype or floatx()

    @property
    def dtype(self):
        return self._dtype

    # Whether `y_true` holds class indices, which `call` reads as such: integer ones are then passed as they
    # are. Keras converts every `y_true` to the loss's dtype and its sparse kernels turn floats back into
    # indices: the same values, for a cast and a pass over float labels more on every step.
    _class_index_targets = False

    def __call__(self, y_true, y_pred, sample_weight=None):
        dtype = self.dtype
        y_pred = ops.convert_to_tensor(y_pred, dtype=dtype)
        if self._class_index_targets and getattr(getattr(y_true, "dtype", None), "kind", None) in ("i", "u"):
            y_true = ops.convert_to_tensor(y_true)
        else:
            y_true = ops.convert_to_tensor(y_true, dtype=dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(
            losses, sample_weight, self.compute_mask(y_true, y_pred, losses), self.reduction, dtype
        )

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def compute_mask(self, y_true, y_pred, losses):
        """A boolean mask of the loss values `losses` that count (None: all of them)."""
        return None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A loss function `fn(y_true, y_pred, **kwargs)` as a Loss."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._class_index_targets = getattr(fn, "_class_index_targets", False)

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is LossFunctionWrapper:
            from kerasish.losses import serialize

            config["fn"] = serialize(self.fn)
        return config

    @classmethod
    def from_config(cls, config):
        if "fn" in config:
            from kerasish.losses import deserialize

            config = {**config, "fn": deserialize(config["fn"])}
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


def targets_are_class_indices(fn):
    """Mark a loss function whose `y_true` holds class indices (see `Loss._class_index_targets`), for the
    LossFunctionWrapper of it."""
    fn._class_index_targets = True
    return fn


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. Received: reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Ranks that differ by one in a trailing size-1 axis are made equal, as in Keras."""
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def expand_to_rank(weights, rank):
    """Per-sample weights of shape (N,) or (N, T) broadcast over the trailing axes of the losses."""
    for _ in range(rank - len(weights.shape)):
        weights = ops.expand_dims(weights, axis=-1)
    return weights


def mask_to_weights(sample_weight, mask, reduction, dtype):
    """Merge a mask into the sample weights; for mean reductions the valid entries are scaled by
    total/valid, so the mean runs over the valid entries only."""
    if mask is None:
        return sample_weight
    mask = ops.cast(mask, dtype)
    if reduction in MEAN_REDUCTIONS:
        mask = mask * ops.divide_no_nan(element_count(mask), ops.sum(mask))
    if sample_weight is None:
        return mask
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return mask * expand_to_rank(sample_weight, len(mask.shape))


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return ops.divide_no_nan(ops.sum(values), ops.sum(sample_weight * ops.ones_like(values)))
    return ops.mean(values)  # the sum over the count, as Keras divides them, in one op (and one in the gradient)


def element_count(values):
    """The number of entries: a Python number where the shape is known, else a tensor counted when the
    op runs (a symbolic batch dimension is None)."""
    if None in tuple(values.shape):
        return ops.sum(ops.ones_like(values))
    return float(math.prod(values.shape))


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is None and mask is None:  # the usual case: nothing to weigh
        return reduce_values(values, None, reduction)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=values.dtype)
    sample_weight = mask_to_weights(sample_weight, mask, reduction, values.dtype)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        sample_weight = expand_to_rank(sample_weight, len(values.shape))
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)
