"""CosineDecayRestarts (Keras 3; SGDR, Loshchilov and Hutter, 2017): cosine decay that restarts, each period
`t_mul` times longer than the one before and starting from `m_mul` times the previous start."""

import math

from kerasish import ops

from . import learning_rate_schedule
from .learning_rate_schedule import LearningRateSchedule, _positive_steps, _step


class CosineDecayRestarts(LearningRateSchedule):
    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = _positive_steps("first_decay_steps", first_decay_steps)
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def _period_and_fraction(self, fraction):
        """Which restart `fraction` (steps / first_decay_steps) falls in, and how far through it."""
        if self._t_mul == 1.0:
            period = ops.floor(fraction)
            return period, fraction - period
        period = ops.floor(ops.log(1.0 - fraction * (1.0 - self._t_mul)) / math.log(self._t_mul))
        periods_before = (1.0 - ops.power(self._t_mul, period)) / (1.0 - self._t_mul)
        return period, (fraction - periods_before) / ops.power(self._t_mul, period)

    def __call__(self, step):
        period, fraction = self._period_and_fraction(_step(step) / self.first_decay_steps)
        cosine = 0.5 * ops.power(self._m_mul, period) * (1.0 + ops.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


learning_rate_schedule.ALL_OBJECTS_DICT[CosineDecayRestarts.__name__] = CosineDecayRestarts
