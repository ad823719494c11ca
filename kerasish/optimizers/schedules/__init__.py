"""kerasish.optimizers.schedules: Keras 3's learning-rate schedules."""

from .learning_rate_schedule import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    deserialize,
    serialize,
)
from .polynomial_decay import PolynomialDecay

__all__ = [
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
