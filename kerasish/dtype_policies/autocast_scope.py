"""Keras's AutocastScope: inside a mixed-precision layer's call, floating Variables are read in the
layer's compute dtype (float32 weights enter a float16 computation as float16), except the ones a
layer made with `add_weight(autocast=False)`. The cast is an op, so gradients reach the float32
Variable on both engines; optimizers run outside every scope and update the float32 storage.
"""

import contextlib
import weakref

from kerasish import ops
from kerasish.backends import dispatch
from kerasish.backends.dtypes import is_float_dtype

_NOT_AUTOCAST = weakref.WeakSet()  # Variables made with add_weight(autocast=False)


def exclude(variable):
    """Keep `variable` in its own dtype inside every autocast scope."""
    _NOT_AUTOCAST.add(variable)


def for_layer(autocast, compute_dtype, variable_dtype):
    """The scope a layer's call runs in, by Keras's rule, or None where it needs none: a mixed layer (float
    compute dtype other than its variables') reads Variables as its compute dtype; inside a scope, a layer
    that computes in another float dtype reads them as its own, and a layer with autocast=False or a
    non-float compute dtype as they are."""
    if dispatch.AUTOCAST:
        if not autocast or not is_float_dtype(compute_dtype):
            return autocast_scope(None)
        if dispatch.AUTOCAST[-1].dtype != compute_dtype:
            return autocast_scope(compute_dtype)
    elif autocast and compute_dtype != variable_dtype and is_float_dtype(compute_dtype):
        return autocast_scope(compute_dtype)
    return None


class _ReadVariablesAs:
    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, prim, inputs):
        if self.dtype is None or prim.name == "cast":
            return inputs
        return [self._read(x) if dispatch.is_variable(x) else x for x in inputs]

    def _read(self, variable):
        if variable in _NOT_AUTOCAST or variable.dtype == self.dtype or not is_float_dtype(variable.dtype.name):
            return variable
        return ops.cast(variable, self.dtype)


@contextlib.contextmanager
def autocast_scope(dtype):
    """Read floating Variables as `dtype` (a float dtype name) inside the block; None reads them as they are."""
    dispatch.AUTOCAST.append(_ReadVariablesAs(dtype))
    try:
        yield
    finally:
        dispatch.AUTOCAST.pop()
