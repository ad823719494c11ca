"""kerasish.backend: which engine and device run by default, and the numeric settings."""
from kerasish.backends.config import (backend, epsilon, floatx, image_data_format, set_epsilon,
                                      set_floatx, set_image_data_format, standardize_data_format)
from kerasish.backends.device import current as device
from kerasish.backends.device import get_array_module

__all__ = ["backend", "device", "epsilon", "floatx", "get_array_module", "image_data_format",
           "set_epsilon", "set_floatx", "set_image_data_format", "standardize_data_format"]
