"""The dynamic engine's op execution: compute now, record on the active tapes.

This is the per-op hot path (every `a + b` on Tensors lands here), so it avoids per-call
allocations it does not need: inputs are unwrapped in one pass, Python numbers beside an array
stay weak scalars (NEP 50), only lists, lone numbers and foreign arrays take the conversion path,
and the device check is a dict lookup.
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


def _on_one_device(arrays):
    xp = device.get_array_module(*arrays)
    if xp is not numpy:
        arrays = [xp.asarray(a) if isinstance(a, numpy.ndarray) else a for a in arrays]
    return xp, arrays


def apply(prim, inputs, attrs):
    if RECORDING and prim.recomputes is not None:
        return _kept_apart(prim, inputs, attrs)
    arrays = None  # stays None for two host tensors and no attributes (most binary ops): called directly
    if len(inputs) == 2 and type(inputs[0]) in _WRAPPED and type(inputs[1]) in _WRAPPED:
        first, second = inputs[0]._data, inputs[1]._data
        if attrs or _GPU_MODULE in _MODULES:
            arrays = [first, second]
    else:
        arrays = []
        numbers = 0
        for x in inputs:
            kind = type(x)
            if kind is Tensor or kind is Variable:
                arrays.append(x._data)
            elif kind is _ARRAY:
                arrays.append(x)
            elif kind is float or kind is int or kind is bool:
                arrays.append(x)
                numbers += 1
            else:
                arrays = _convert(prim, inputs)
                break
        else:
            if numbers == len(arrays):  # only Python numbers (or no input): nothing anchors their dtype
                arrays = _convert(prim, inputs)
    xp = numpy
    if arrays is not None and _GPU_MODULE in _MODULES:
        xp, arrays = _on_one_device(arrays)
    try:
        if arrays is None:
            result = prim.forward(numpy, first, second)
        elif attrs:
            result = prim.forward(xp, *arrays, **attrs)
        elif len(arrays) == 2:  # a direct call is cheaper than unpacking a list
            result = prim.forward(xp, arrays[0], arrays[1])
        else:
            result = prim.forward(xp, *arrays)
    except Exception as error:
        raise op_error(prim, inputs, attrs, error) from error
    output = _new(Tensor)  # skips a Python __init__ call
    output._data = result
    output._serial = None
    if RECORDING and prim.vjp is not None:
        for tape in RECORDING:
            tape._record(prim, inputs, output, attrs)
    return output


def _kept_apart(prim, inputs, attrs):
    """While a tape records, an op whose vjp would compute `first` again runs as its two ops (`recomputes`), so
    that the tape keeps `first`'s result for the backward pass instead (the same kernels, the same values). Bad
    input is the op's error, as when it runs whole."""
    first, second, positions = prim.recomputes
    rest = [x for i, x in enumerate(inputs) if i not in positions]
    try:
        return apply(second, [apply(first, rest, attrs)] + [inputs[i] for i in positions], {})
    except Exception as error:
        raise op_error(prim, inputs, attrs, error) from error


dispatch.register_type(Tensor, dispatch.DYNAMIC_RANK, apply)
variable.FRESH_RESULT_TYPES.add(Tensor)
dispatch.ENGINES["dynamic"] = apply
