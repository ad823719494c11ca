"""PolynomialDecay (Keras 3): a polynomial from `initial_learning_rate` down to `end_learning_rate` over
`decay_steps`, optionally restarting (`cycle`). Caffe's "poly" policy is the case `end_learning_rate=0`."""

from kerasish import ops
from kerasish.backend import floatx

from . import learning_rate_schedule
from .learning_rate_schedule import LearningRateSchedule, _positive_steps, _step


class PolynomialDecay(LearningRateSchedule):
    """(initial_learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power + end_learning_rate,
    the step held at decay_steps; with `cycle`, decay_steps grows to the next multiple of itself instead."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive_steps("decay_steps", decay_steps)
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step):
        step = _step(step)
        decay_steps = ops.cast(self.decay_steps, floatx())
        if self.cycle:
            # step 0 counts as the first cycle, as in Keras
            multiplier = ops.where(ops.equal(step, 0.0), 1.0, ops.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = ops.minimum(step, decay_steps)
        remaining = 1.0 - step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * ops.power(
            remaining, float(self.power)
        ) + self.end_learning_rate

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


# deserialize() finds schedules by class name in this one table
learning_rate_schedule.ALL_OBJECTS_DICT[PolynomialDecay.__name__] = PolynomialDecay
