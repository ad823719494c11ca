"""kerasish.GradientTape: the engine-neutral tape a user writes custom loops with."""
from .dynamic.tape import GradientTape

__all__ = ["GradientTape"]
