"""kerasish.backends: the op registry, the device layer and the two engines (dynamic, static)."""
from . import config, device, primitives
from .variable import Variable

__all__ = ["config", "device", "primitives", "Variable"]
