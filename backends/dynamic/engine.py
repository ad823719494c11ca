"""The dynamic engine's op execution: compute now, record on the active tapes."""
import sys

import numpy

from .. import config, device, dispatch
from ..errors import op_error
from ..variable import Variable
from .tape import RECORDING
from .tensor import Tensor

_WRAPPED = (Tensor, Variable)
_SCALARS = (int, float, bool)


def _array_of(x):
    """Lists and lone Python numbers become floatx arrays (or int/bool ones), never float64 by accident."""
    if isinstance(x, (list, tuple)) or type(x) in _SCALARS:
        array = numpy.asarray(x)
        if array.dtype == numpy.float64:
            array = array.astype(config.floatx())
        return device.to_device(array)
    return x


def _convert(arrays):
    anchored = any(hasattr(a, "shape") for a in arrays)
    return [a if anchored and type(a) in _SCALARS else _array_of(a) for a in arrays]


def _on_one_device(arrays):
    xp = device.get_array_module(*arrays)
    if xp is not numpy:
        arrays = [xp.asarray(a) if isinstance(a, numpy.ndarray) else a for a in arrays]
    return xp, arrays


def apply(prim, inputs, attrs):
    arrays = [x._data if type(x) in _WRAPPED else x for x in inputs]
    for a in arrays:
        if not hasattr(a, "shape"):
            arrays = _convert(arrays)
            break
    xp = numpy
    if "cupy" in sys.modules:
        xp, arrays = _on_one_device(arrays)
    try:
        result = prim.forward(xp, *arrays, **attrs)
    except Exception as error:
        raise op_error(prim, inputs, attrs, error) from error
    output = Tensor(result)
    if RECORDING and prim.vjp is not None:
        for tape in RECORDING:
            tape._record(prim, inputs, output, attrs)
    return output


dispatch.register_type(Tensor, 2, apply)
dispatch.ENGINES["dynamic"] = apply
