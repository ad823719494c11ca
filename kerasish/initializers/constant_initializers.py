"""Initializers that draw nothing: Zeros, Ones, Constant, Identity (Keras 3 names and configs)."""

import numpy

from kerasish import ops
from kerasish.backends import config
from kerasish.initializers.initializer import Initializer


def standard_dtype(dtype):
    return numpy.dtype(dtype or config.floatx())


class Constant(Initializer):
    """Every element equal to `value`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return ops.full(tuple(shape), self.value, dtype=standard_dtype(dtype))

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, numpy.ndarray) else value}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return ops.zeros(tuple(shape), dtype=standard_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return ops.ones(tuple(shape), dtype=standard_dtype(dtype))


class Identity(Initializer):
    """`gain` times the identity matrix; 2-D shapes only."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}."
            )
        return ops.cast(self.gain * ops.eye(*shape, dtype=standard_dtype(dtype)), standard_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}
