"""The dynamic engine's op execution: compute now, record on the active tapes.

This is the per-op hot path (every `a + b` on Tensors lands here, and every op when no autocast, scope or trace
is in effect: `dispatch.apply`), so it avoids per-call work it does not need: one to three Tensors or Variables
are unwrapped without a loop, straight into the forward's arguments; other inputs in one pass, where Python
numbers beside an array stay weak scalars (NEP 50), only lists, lone numbers and foreign arrays take the
conversion path, and an op on a graph tensor goes back to `dispatch.apply_by_rank`; the device check is a dict
lookup.
"""

import sys

import numpy

from .. import config, device, dispatch, variable
from ..dtypes import as_array, is_foreign_array
from ..errors import op_error
from ..variable import Variable
from .tape import RECORDING
from .tensor import Tensor

_SCALARS = (int, float, bool)
_ARRAY = numpy.ndarray
_MODULES = sys.modules
_GPU_MODULE = device.GPU_MODULE
_new = object.__new__
_WRAPPED = frozenset((Tensor, Variable))


def _array_of(x):
    """Lists and lone Python numbers become floatx arrays (or int/bool ones), never float64 by accident."""
    if isinstance(x, (list, tuple)) or type(x) in _SCALARS:
        array = numpy.asarray(x)
        if array.dtype == numpy.float64:
            array = array.astype(config.floatx())
        return device.to_device(array)
    if is_foreign_array(x):
        return device.to_device(as_array(x))
    return x


def _convert(prim, inputs):
    """Unwrap tensors; with an array present Python numbers stay weak scalars (NEP 50)."""
    arrays = [getattr(x, "_data", x) for x in inputs]
    anchored = any(hasattr(a, "shape") for a in arrays)
    try:
        return [a if anchored and type(a) in _SCALARS else _array_of(a) for a in arrays]
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{prim.name}: an input is not a tensor, array or rectangular list: {error}") from None


def _on_one_device(arguments):
    """The forward's arguments `(numpy, *arrays)` with the arrays' module for numpy, host arrays moved beside
    device ones."""
    arrays = arguments[1:]
    xp = device.get_array_module(*arrays)
    if xp is numpy:
        return arguments
    return [xp, *[xp.asarray(a) if isinstance(a, numpy.ndarray) else a for a in arrays]]


def apply(prim, inputs, attrs):
    if RECORDING and prim.recomputes is not None:
        return _kept_apart(prim, inputs, attrs)
    # the forward's arguments, (xp, *arrays): one to three Tensors or Variables (the usual op) without a loop
    count = len(inputs)
    if count == 2 and type(inputs[0]) in _WRAPPED and type(inputs[1]) in _WRAPPED:
        arguments = (numpy, inputs[0]._data, inputs[1]._data)
    elif count == 3 and type(inputs[0]) in _WRAPPED and type(inputs[1]) in _WRAPPED and type(inputs[2]) in _WRAPPED:
        arguments = (numpy, inputs[0]._data, inputs[1]._data, inputs[2]._data)
    elif count == 1 and type(inputs[0]) in _WRAPPED:
        arguments = (numpy, inputs[0]._data)
    else:
        arguments = [numpy]
        numbers = 0
        for x in inputs:
            kind = type(x)
            if kind is Tensor or kind is Variable:
                arguments.append(x._data)
            elif kind is _ARRAY:
                arguments.append(x)
            elif kind is float or kind is int or kind is bool:
                arguments.append(x)
                numbers += 1
            else:
                if dispatch.has_graph_tensor(inputs):
                    return dispatch.apply_by_rank(prim, inputs, attrs)
                arguments[1:] = _convert(prim, inputs)
                break
        else:
            if numbers == count:  # only Python numbers (or no input): nothing anchors their dtype
                arguments[1:] = _convert(prim, inputs)
    if _GPU_MODULE in _MODULES:
        arguments = _on_one_device(arguments)
    try:
        result = prim.forward(*arguments, **attrs) if attrs else prim.forward(*arguments)
        output = _new(Tensor)  # skips a Python __init__ call
        output._data, output.shape, output.dtype = result, result.shape, result.dtype
    except Exception as error:
        raise op_error(prim, inputs, attrs, error) from error
    output._serial = None
    if RECORDING and prim.vjp is not None:
        for tape in RECORDING:
            tape._record(prim, inputs, output, attrs)
    return output


def _kept_apart(prim, inputs, attrs):
    """While a tape records, an op whose vjp would compute `first` again runs as its two ops (`recomputes`), so
    that the tape keeps `first`'s result for the backward pass instead (the same kernels, the same values). Bad
    input is the op's error, as when it runs whole. An op on a graph tensor goes to its engine whole."""
    if dispatch.has_graph_tensor(inputs):
        return dispatch.apply_by_rank(prim, inputs, attrs)
    first, second, positions = prim.recomputes
    rest = [x for i, x in enumerate(inputs) if i not in positions]
    try:
        return apply(second, [apply(first, rest, attrs)] + [inputs[i] for i in positions], {})
    except Exception as error:
        raise op_error(prim, inputs, attrs, error) from error


dispatch.register_type(Tensor, dispatch.DYNAMIC_RANK, apply)
variable.FRESH_RESULT_TYPES.add(Tensor)
dispatch.ENGINES["dynamic"] = apply
