"""Learning-rate schedules (Keras 3): functions of the optimizer's step, computed with ops so that a
traced static step reads the current step from the `iterations` Variable on every run."""

import math

from kerasish import ops
from kerasish.backend import floatx
from kerasish.utils import object_serialization as registry


class LearningRateSchedule:
    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _positive_steps(argument, value):
    if value <= 0:
        raise ValueError(f"Argument `{argument}` must be > 0. Received: {argument}={value}")
    return value


def _step(step):
    return ops.cast(step, floatx())


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ** (step / decay_steps), the exponent floored with staircase."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive_steps("decay_steps", decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        progress = _step(step) / self.decay_steps
        if self.staircase:
            progress = ops.floor(progress)
        return self.initial_learning_rate * ops.power(ops.cast(self.decay_rate, floatx()), progress)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while boundaries[i-1] < step <= boundaries[i] (values[0] up to the first boundary)."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                f"{len(values)}."
            )
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        step = _step(step)
        result = self.values[0] * ops.cast(ops.less_equal(step, self.boundaries[0]), floatx())
        for low, high, value in zip(self.boundaries[:-1], self.boundaries[1:], self.values[1:-1]):
            inside = ops.logical_and(ops.greater(step, low), ops.less_equal(step, high))
            result = result + value * ops.cast(inside, floatx())
        return result + self.values[-1] * ops.cast(ops.greater(step, self.boundaries[-1]), floatx())

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored with staircase."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive_steps("decay_steps", decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step):
        progress = _step(step) / self.decay_steps
        if self.staircase:
            progress = ops.floor(progress)
        return self.initial_learning_rate / (1.0 + self.decay_rate * progress)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Half a cosine from a start rate down to alpha * start over decay_steps. With warmup_target, a
    linear warmup from initial_learning_rate to warmup_target over warmup_steps comes first and the
    cosine starts from warmup_target."""

    def __init__(
        self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None, warmup_steps=0
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive_steps("decay_steps", decay_steps)
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def _decayed(self, step, start):
        cosine = 0.5 * (1.0 + ops.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = _step(step)
        if self.warmup_target is None:
            return self._decayed(ops.minimum(step, float(self.decay_steps)), self.initial_learning_rate)
        step = ops.minimum(step, float(self.decay_steps + self.warmup_steps))
        warmup = (self.warmup_target - self.initial_learning_rate) * (
            step / max(self.warmup_steps, 1)
        ) + self.initial_learning_rate
        decay = self._decayed(step - self.warmup_steps, self.warmup_target)
        return ops.where(ops.less(step, float(self.warmup_steps)), warmup, decay)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


ALL_OBJECTS = (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay, CosineDecay)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}


def serialize(learning_rate_schedule):
    return registry.serialize(learning_rate_schedule, "keras.optimizers.schedules")


def deserialize(config, custom_objects=None):
    return registry.deserialize("learning rate schedule", config, ALL_OBJECTS_DICT, custom_objects)
