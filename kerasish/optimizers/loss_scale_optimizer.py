"""LossScaleOptimizer (Keras 3): dynamic loss scaling around an inner optimizer.

`scale_loss` multiplies the loss by `dynamic_scale`; `apply` checks the gradients. When all are
finite they are divided by the scale and handed to the inner optimizer, and after
`dynamic_growth_steps` such steps in a row the scale doubles. When any is not finite the step is
skipped (no variable, slot or iteration count changes), the scale halves and the count restarts.
Nothing branches in Python on a value: the skipped step is the inner update computed and then
discarded with `where`, so one traced static step holds both outcomes.
"""

import warnings

from kerasish import ops
from kerasish.utils import object_registration, object_serialization

from .optimizer import Optimizer

_INERT_BASE_ARGUMENTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                "`loss_scale_factor` directly on the `inner_optimizer`."
            )
        for argument, default in _INERT_BASE_ARGUMENTS.items():  # older Keras configs wrote them at their defaults
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{argument}`. Instead, set `{argument}` on the "
                    "`inner_optimizer`."
                )
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs.keys())}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                f"LossScaleOptimizer: `inner_optimizer` must be a kerasish Optimizer instance. "
                f"Received: inner_optimizer={inner_optimizer!r}"
            )
        if isinstance(inner_optimizer, LossScaleOptimizer):
            raise ValueError("LossScaleOptimizer: `inner_optimizer` cannot itself be a LossScaleOptimizer.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None  # else the gradients would be unscaled twice

    def build(self, variables):
        if self.built:
            return
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int32", name="step_counter")
        self.dynamic_scale = self.add_variable(
            (), initializer=float(self.initial_scale), dtype="float32", name="dynamic_scale"
        )
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        return ops.multiply(loss, self.dynamic_scale if self.built else self.initial_scale)

    def check_finite(self, grads):
        finite = [ops.all(ops.isfinite(g)) for g in grads if g is not None]
        return ops.all(ops.stack(finite)) if finite else ops.convert_to_tensor(True)

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list "
                    "of variables. Call `optimizer.build(trainable_variables)` first."
                )
            self.build(list(trainable_variables))
        finite = self.check_finite(grads)
        scale = self.dynamic_scale
        unscaled = [None if g is None else ops.divide(g, scale) for g in grads]
        trainable = self._trainable_variables if trainable_variables is None else list(trainable_variables)
        touched = trainable + self.inner_optimizer.variables
        before = [ops.cast(variable, variable.dtype) for variable in touched]  # a copy of each value
        with warnings.catch_warnings():  # a skipped step's non-finite gradients warn nothing: they are discarded
            warnings.simplefilter("ignore", RuntimeWarning)
            self.inner_optimizer.apply(unscaled, trainable_variables)
        for variable, old in zip(touched, before):
            variable.assign(ops.where(finite, variable, old))
        grow = ops.logical_and(finite, ops.equal(self.step_counter, self.dynamic_growth_steps - 1))
        self.dynamic_scale.assign(
            ops.where(finite, ops.where(grow, scale * 2.0, scale), scale * 0.5),
        )
        self.step_counter.assign(ops.where(ops.logical_and(finite, ops.logical_not(grow)), self.step_counter + 1, 0))

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        return {
            "name": self.name,
            "inner_optimizer": serialize_optimizer(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner_optimizer = deserialize_optimizer(config.pop("inner_optimizer"), custom_objects)
        return cls(inner_optimizer, **config)


def serialize_optimizer(optimizer):
    return object_serialization.serialize(optimizer, "keras.optimizers")


def deserialize_optimizer(config, custom_objects=None):
    """An optimizer nested in a wrapper's config: a built-in (registered by kerasish.optimizers), a registered
    one or one of `custom_objects`."""
    name = config.get("class_name") if isinstance(config, dict) else None
    built_in = object_registration.built_in("optimizers", name) if isinstance(name, str) else None
    objects = {} if built_in is None else {name: built_in}
    return object_serialization.deserialize("optimizer", config, objects, custom_objects)
