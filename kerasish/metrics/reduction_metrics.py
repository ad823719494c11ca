"""Mean, Sum and MeanMetricWrapper (Keras 3): running totals of (weighted) values."""

from kerasish import ops
from kerasish.backends.primitives.metric_updates import accumulate
from kerasish.losses.loss import element_count, squeeze_or_expand_to_same_rank

from .metric import Metric


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """One value per sample (and the matching weights), as Keras reduces them before accumulating."""
    values = ops.cast(values, dtype)
    if type(sample_weight) in (int, float) and not values.shape:
        return values * sample_weight, sample_weight  # a scalar weighed by a number: no conversion
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank, values_rank = len(sample_weight.shape), len(values.shape)
        if values_rank > weight_rank:
            values = reduce_fn(values, axis=tuple(range(weight_rank, values_rank)))
        if tuple(sample_weight.shape) != tuple(values.shape):
            sample_weight = sample_weight * ops.ones_like(values)
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_rank)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=tuple(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype)
        self.total.assign(self.total + ops.sum(values))

    def result(self):
        return ops.cast(self.total, self.dtype)


class Mean(Metric):
    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values, sample_weight=None):
        values = ops.cast(values, self.total.dtype)  # the variable's own dtype object: cast's shortest path
        if type(sample_weight) in (int, float) and not values.shape:
            # a scalar weighed by a number (the loss tracker's batch size, every step): one op, the count a number
            self.total.assign(accumulate(self.total, values, sample_weight))
            self.count.assign_add(sample_weight)
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, ops.mean, self.dtype)
        self.total.assign(self.total + (ops.sum(values) if values.shape else values))
        self.count.assign(self.count + (element_count(values) if sample_weight is None else ops.sum(sample_weight)))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The mean over all samples seen of `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """A subclass fixes `fn`, so its config is its own arguments; the plain wrapper saves `fn` too."""
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            from kerasish.metrics import serialize

            config["fn"] = serialize(self._fn)
        return config

    @classmethod
    def from_config(cls, config):
        if "fn" in config:
            from kerasish.metrics import deserialize

            config = {**config, "fn": deserialize(config["fn"])}
        return cls(**config)
