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
from kerasish.backends.dtypes import is_float_dtype, is_int_dtype, result_type, standardize_dtype
from kerasish.backends.symbolic import KerasTensor
from kerasish.utils.naming import get_uid, reset_names


def clear_session(free_memory=True):
    """Start default layer names again from `dense`, `dense_1`, ... as `keras.backend.clear_session()` does.

    Models hold their own state, so there is no global graph to drop; `free_memory` is accepted for
    Keras's signature (Python frees arrays as soon as nothing refers to them).
    """
    reset_names()


def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor of the functional API (what `keras.Input` returns)."""
    return isinstance(x, KerasTensor)


__all__ = [
    "backend",
    "clear_session",
    "device",
    "epsilon",
    "floatx",
    "get_array_module",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "is_keras_tensor",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_data_format",
    "standardize_dtype",
]
