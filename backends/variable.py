"""Variable: one storage (an xp array) that both engines read and update."""

import itertools

import numpy

from . import config, device, dispatch
from .dtypes import numpy_dtype
from .interrupts import DeferredInterrupts
from .name_scope import scoped
from .operators import TensorOperators

_ids = itertools.count()
_ASSIGN_HOOKS = {}
FRESH_RESULT_TYPES = set()  # eager result types whose arrays nobody else holds (the dynamic Tensor)


TRACING = "tracing"  # hook key for plain values assigned while a static trace runs


def register_assign_hook(symbol_type, hook):
    """A symbolic engine records `variable.assign(symbol)` as an update instead of computing it;
    the hook registered under TRACING gets plain values assigned during a trace (they become updates too)."""
    _ASSIGN_HOOKS[symbol_type] = hook


class Variable(TensorOperators):
    """`kerasish.Variable(initializer, shape=None, dtype=None, trainable=True, name=None)`.

    `initializer` is a value (array, list, number, tensor) or a callable `initializer(shape, dtype)`.
    """

    __slots__ = ("_data", "trainable", "name", "path", "uid", "_constraint", "__weakref__")

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None, constraint=None):
        self.uid = next(_ids)
        self.name = name or f"variable_{self.uid}"
        self.path = scoped(self.name)
        self.trainable = bool(trainable)
        self._constraint = constraint
        dtype = numpy_dtype(dtype or config.floatx())
        if callable(initializer):
            if shape is None:
                raise ValueError(f"Variable {self.name!r}: a callable initializer needs a shape")
            with dispatch.outside_scopes():
                value = initializer(tuple(shape), dtype)
        else:
            value = initializer
        value = _as_array(value, dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable {self.name!r}: initial value has shape {tuple(value.shape)}, expected {tuple(shape)}"
            )
        self._data = device.to_device(value)

    @property
    def value(self):
        return self._data

    @property
    def shape(self):
        return tuple(self._data.shape)

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def constraint(self):
        return self._constraint

    def numpy(self):
        """A copy: the storage itself may be updated in place by a static plan."""
        array = device.to_numpy(self._data)
        return array.copy() if array is self._data else array

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def assign(self, value):
        if dispatch.SCOPES and dispatch.assigned_in_scope(self, value):
            return self
        hook = _ASSIGN_HOOKS.get(type(value))
        if hook is None and dispatch.TRACES:
            hook = _ASSIGN_HOOKS.get(TRACING)
        if hook is not None:
            return hook(self, value)
        data = self._data
        array = value._data if type(value) in FRESH_RESULT_TYPES else None
        if type(array) is not numpy.ndarray or array.dtype != data.dtype:  # else an op's fresh host result: adopted
            array = _as_array(value, data.dtype)
        if array.shape != data.shape:  # both tuples (numpy's and cupy's shapes are)
            raise ValueError(
                f"Variable {self.name!r}: cannot assign a value of shape {array.shape} "
                f"to a variable of shape {data.shape}"
            )
        if type(array) is not numpy.ndarray or type(data) is not numpy.ndarray:  # else both on the host
            array = device.to_device(array, device.device_of(data))
        self._data = array
        return self

    def assign_add(self, value):
        data = self._data
        if type(value) is int and type(data) is numpy.ndarray and data.dtype.kind in "iuf":
            if dispatch.ops_run_as_given():
                # an eager count (an optimizer's iterations, a metric's sample count): numpy's add, as the op
                # `self + value` computes it (the variable's dtype kept: the int is a weak scalar), without the op
                # around it; the op's result would not carry a gradient into the variable either
                try:
                    self._data = numpy.asarray(data + value)  # a 0-d array's sum is a numpy scalar
                    return self
                except OverflowError:  # a number the dtype cannot hold: the op's own error, below
                    pass
        return self.assign(self + value)

    def assign_sub(self, value):
        return self.assign(self - value)

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        return f"<Variable path={self.path} shape={self.shape} dtype={self.dtype.name} trainable={self.trainable}>"

    def __hash__(self):
        return self.uid

    def __eq__(self, other):
        return self is other

    def __bool__(self):
        raise TypeError("A Variable has no truth value; compare its numpy() instead")


class all_or_nothing:  # noqa: N801 - a context manager, named as contextlib's are
    """Eager assignments to `variables` inside the block are undone when the block raises (a
    KeyboardInterrupt included): an eager assign replaces a variable's storage and never writes into
    it, so putting the previous storages back restores every value exactly. (A class, not a generator:
    it wraps every eager training step.)"""

    __slots__ = ("_saved",)

    def __init__(self, variables):
        self._saved = [(variable, variable._data) for variable in variables]

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None:
            with DeferredInterrupts():
                for variable, data in self._saved:
                    variable._data = data


def _as_array(value, dtype):
    """The storage for a new value. Arrays the caller still holds (plain arrays, other variables) are
    copied, so updating the variable in place never writes into them; an op's fresh result is not."""
    owned = type(value) in FRESH_RESULT_TYPES
    value = getattr(value, "_data", value)
    if type(value) is not numpy.ndarray and device.is_cupy(value):
        return value.astype(dtype, copy=not owned)
    return numpy.asarray(value, dtype=dtype) if owned else numpy.array(value, dtype=dtype)


dispatch.register_type(Variable, dispatch.VARIABLE_RANK, dispatch.apply_variable)
