"""What `compile()` was given, resolved against the model's outputs: losses and metrics per output.

Strings resolve through kerasish.losses / kerasish.metrics; "accuracy"/"acc" and "crossentropy"/"ce"
pick their binary, sparse or categorical variant from the shapes of y_true and y_pred, as in Keras.
"""

from kerasish.backends.tree import flatten


def is_binary_or_sparse_categorical(y_true, y_pred):
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = pred_shape[-1] == 1
    is_sparse = len(true_shape) < len(pred_shape) or (true_shape[-1] == 1 and pred_shape[-1] != 1)
    return is_binary, is_sparse


def get_loss(identifier, y_true, y_pred):
    from kerasish import losses

    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        loss = (
            losses.binary_crossentropy
            if is_binary
            else losses.sparse_categorical_crossentropy
            if is_sparse
            else losses.categorical_crossentropy
        )
    else:
        loss = losses.get(identifier)
    if isinstance(loss, losses.Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", type(loss).__name__)
    return losses.LossFunctionWrapper(loss, name=name)


def get_metric(identifier, y_true, y_pred, output_name=None):
    from kerasish import metrics

    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        kind = (
            metrics.BinaryAccuracy
            if is_binary
            else metrics.SparseCategoricalAccuracy
            if is_sparse
            else metrics.CategoricalAccuracy
        )
        metric = kind(name=str(identifier))
    else:
        metric = metrics.get(identifier)
    if isinstance(identifier, str):
        name = identifier
    else:
        name = getattr(metric, "name", None) or getattr(metric, "__name__", type(metric).__name__)
    if not isinstance(metric, metrics.Metric):
        metric = metrics.MeanMetricWrapper(metric, name=name)
    metric.name = f"{output_name}_{name}" if output_name else name
    return metric


def per_output(argument, value, output_names, num_outputs):
    """`value` given for the whole model, as a list with one entry per output."""
    if num_outputs == 1:
        if isinstance(value, dict):
            return [value.get(output_names[0])] if set(value) <= set(output_names) else [value]
        if isinstance(value, (list, tuple)) and len(value) == 1 and argument in ("loss", "loss_weights"):
            return [value[0]]
        return [value]
    if isinstance(value, dict):
        unknown = set(value) - set(output_names)
        if unknown:
            raise ValueError(
                f"compile(): `{argument}` has keys {sorted(unknown)} that are not output names; "
                f"the model's outputs are {output_names}"
            )
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != num_outputs:
            raise ValueError(
                f"compile(): `{argument}` is a list of {len(value)} entries but the model has "
                f"{num_outputs} outputs {output_names}; give one entry per output or a dict"
            )
        return list(value)
    if argument == "loss" or argument == "loss_weights":
        return [value] * num_outputs
    raise ValueError(
        f"compile(): for a model with {num_outputs} outputs {output_names}, `{argument}` must be "
        f"a list with one entry per output or a dict keyed by output name, received {value!r}"
    )


def names_for(output_names, count):
    """The model's output names, or output_0, output_1, ... when the model could not name them."""
    return output_names if len(output_names) == count else [f"output_{i}" for i in range(count)]


def flatten_targets(y, output_names):
    """y_true (or sample weights) in the order of the model's outputs."""
    if isinstance(y, dict):
        missing = [name for name in output_names if name not in y]
        if missing:
            raise ValueError(
                f"Targets are a dict with keys {list(y)}, but the model's outputs are "
                f"{output_names} (missing {missing})"
            )
        return [y[name] for name in output_names]
    return flatten(y)


class CompileLoss:
    """The model's loss: each output's Loss times its weight, summed; one Mean tracker per output."""

    def __init__(self, loss, loss_weights, output_names):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict, int, float)):
            raise ValueError(f"Expected `loss_weights` to be a list, dict or number, received {loss_weights!r}")
        self.loss, self.loss_weights, self.output_names = loss, loss_weights, output_names
        self.built = False
        self.entries = []
        self.trackers = []

    def build(self, y_true, y_pred):
        from kerasish import metrics

        predictions = flatten(y_pred)
        count = len(predictions)
        self.output_names = names_for(self.output_names, count)
        targets = (
            flatten_targets(y_true, self.output_names) if count > 1 or isinstance(y_true, dict) else flatten(y_true)
        )
        if len(targets) != count:
            raise ValueError(
                f"The model has {count} outputs {self.output_names} but the data has {len(targets)} targets"
            )
        losses = per_output("loss", self.loss, self.output_names, count)
        weights = per_output(
            "loss_weights", 1.0 if self.loss_weights is None else self.loss_weights, self.output_names, count
        )
        for index, (identifier, weight) in enumerate(zip(losses, weights)):
            loss = get_loss(identifier, targets[index], predictions[index])
            if loss is None:
                continue
            if targets[index] is None:
                raise ValueError(
                    f"The compiled loss {identifier!r} of output '{self.output_names[index]}' needs "
                    "targets, but `y` is None: pass `y` (or batches of `(x, y)`)"
                )
            tracker = metrics.Mean(name=f"{self.output_names[index]}_loss") if count > 1 else None
            self.entries.append((index, loss, 1.0 if weight is None else float(weight), tracker))
            if tracker is not None:
                self.trackers.append(tracker)
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        predictions = flatten(y_pred)
        count = len(predictions)
        targets = flatten_targets(y_true, self.output_names) if count > 1 else flatten(y_true)
        weights = (
            flatten_targets(sample_weight, self.output_names)
            if count > 1 and isinstance(sample_weight, (list, tuple, dict))
            else [sample_weight] * count
        )
        total = None
        for index, loss, weight, tracker in self.entries:
            value = loss(targets[index], predictions[index], sample_weight=weights[index])
            if tracker is not None:
                tracker.update_state(value, sample_weight=predictions[index].shape[0])
            if weight != 1.0:
                value = value * weight
            total = value if total is None else total + value
        return total


class CompileMetrics:
    """`metrics` and `weighted_metrics` per output; only the weighted ones see sample weights."""

    def __init__(self, metrics, weighted_metrics, output_names):
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value and not isinstance(value, (list, tuple, dict)):
                raise ValueError(
                    f"Expected `{argument}` argument to be a list, tuple, or dict. Received "
                    f"instead: {argument}={value!r} of type {type(value).__name__}"
                )
        self.user_metrics, self.user_weighted_metrics = metrics, weighted_metrics
        self.output_names = output_names
        self.built = False
        self.unweighted, self.weighted = [], []

    def build(self, y_true, y_pred):
        predictions = flatten(y_pred)
        count = len(predictions)
        self.output_names = names_for(self.output_names, count)
        targets = flatten_targets(y_true, self.output_names) if count > 1 else flatten(y_true)
        self.unweighted = self._resolve("metrics", self.user_metrics, targets, predictions)
        self.weighted = self._resolve("weighted_metrics", self.user_weighted_metrics, targets, predictions)
        self.built = True

    def _resolve(self, argument, value, targets, predictions):
        if not value:
            return []
        count = len(predictions)
        if count == 1:
            return [(0, get_metric(m, targets[0], predictions[0])) for m in flatten(value)]
        resolved = []
        for index, entry in enumerate(per_output(argument, value, self.output_names, count)):
            for m in flatten(entry) if entry is not None else []:
                resolved.append((index, get_metric(m, targets[index], predictions[index], self.output_names[index])))
        return resolved

    @property
    def metrics(self):
        return [m for _, m in self.unweighted + self.weighted]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.unweighted and not self.weighted:  # nothing to update (every step asks)
            return
        predictions = flatten(y_pred)
        count = len(predictions)
        targets = flatten_targets(y_true, self.output_names) if count > 1 else flatten(y_true)
        weights = (
            flatten_targets(sample_weight, self.output_names)
            if count > 1 and isinstance(sample_weight, (list, tuple, dict))
            else [sample_weight] * count
        )
        for index, metric in self.unweighted:
            metric.update_state(targets[index], predictions[index])
        for index, metric in self.weighted:
            metric.update_state(targets[index], predictions[index], sample_weight=weights[index])
