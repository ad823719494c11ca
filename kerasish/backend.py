"""kerasish.backend: which engine and device run by default, and the numeric settings."""

from kerasish.backends.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
)
from kerasish.backends.device import current as device
from kerasish.backends.device import get_array_module


def clear_session(free_memory=True):
    """Start default layer names again from `dense`, `dense_1`, ... as `keras.backend.clear_session()` does.

    Models hold their own state, so there is no global graph to drop; `free_memory` is accepted for
    Keras's signature (Python frees arrays as soon as nothing refers to them).
    """
    from kerasish.utils.naming import reset_names  # kerasish.utils is heavier than this module

    reset_names()


__all__ = [
    "backend",
    "clear_session",
    "device",
    "epsilon",
    "floatx",
    "get_array_module",
    "image_data_format",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_data_format",
]
