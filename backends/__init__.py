"""kerasish.backends: the op registry, the device layer and the two engines (dynamic, static)."""

from . import config, device, dynamic, primitives  # dynamic: the engine eager ops (plain arrays too) run on
from .variable import Variable

__all__ = ["config", "device", "primitives", "Variable"]
