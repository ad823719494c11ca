"""kerasish.backends: the op registry, the device layer and the two engines (dynamic, static)."""
from . import allocator, config, device, primitives
allocator.tune()  # before the first large array: freed temporaries stay mapped (KERASISH_MALLOC_TUNING=0: off)
from .variable import Variable

__all__ = ["config", "device", "primitives", "Variable"]
