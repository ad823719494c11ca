"""Making tensors and converting them: zeros/ones/full (and their `_like` forms), arange, eye, identity,
convert_to_tensor, convert_to_numpy, cast and stop_gradient, with Keras's signatures and dtypes.

Ops without a tensor input (zeros, arange, eye, ...) make their array on the current device
(`kerasish.device(...)`); the engines hand them numpy as xp, having no input to take a device from.
"""

import functools
import math

import numpy

from .. import config, device, dispatch
from ..dtypes import as_array, is_foreign_array, numpy_dtype
from .elementwise import arithmetic_dtype, is_inexact
from .registry import dtype_of, export, ops, primitive, result_dtype, shape_of


@functools.lru_cache(maxsize=256)
def dtype_name(dtype):
    """A dtype as an attribute (hashable, JSON-friendly): its numpy name, from any library's dtype object.
    Cached: it is on every cast's path."""
    return numpy_dtype(dtype).name


def _shape_attr(name, shape):
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else shape
    if not isinstance(shape, (list, tuple)) or not all(
        isinstance(d, (int, numpy.integer)) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise ValueError(f"{name}: shape must be a tuple of non-negative ints, got {shape!r}")
    return tuple(int(d) for d in shape)


# ----- filled arrays ------------------------------------------------------------------------


def _like_infer(shapes, dtypes, dtype=None):
    return tuple(shapes[0]), numpy.dtype(dtype) if dtype is not None else arithmetic_dtype(dtypes[0])


_zeros_like = primitive(
    "zeros_like", lambda xp, x, dtype=None: xp.zeros_like(x, dtype=dtype), None, _like_infer, shape_only=(0,)
)
_ones_like = primitive(
    "ones_like", lambda xp, x, dtype=None: xp.ones_like(x, dtype=dtype), None, _like_infer, shape_only=(0,)
)


@export
def zeros_like(x, dtype=None):
    return _zeros_like(x, dtype=None if dtype is None else dtype_name(dtype))


@export
def ones_like(x, dtype=None):
    return _ones_like(x, dtype=None if dtype is None else dtype_name(dtype))


@export
def full_like(x, fill_value, dtype=None):
    dtype = dtype_name(dtype or arithmetic_dtype(dtype_of(x)))
    return ops.cast(ops.add(zeros_like(x, dtype), fill_value), dtype)


_full = primitive(
    "full",
    lambda xp, shape, fill_value, dtype: device.current_xp().full(shape, fill_value, dtype),
    None,
    lambda shapes, dtypes, shape, fill_value, dtype: (shape, numpy.dtype(dtype)),
)


@export
def full(shape, fill_value, dtype=None):
    shape, dtype = _shape_attr("full", shape), dtype_name(dtype or config.floatx())
    if isinstance(fill_value, (bool, int, float)):
        return _full(shape=shape, fill_value=fill_value, dtype=dtype)
    return ops.cast(ops.add(zeros(shape, dtype), fill_value), dtype)


@export
def zeros(shape, dtype=None):
    return full(shape, 0, dtype)


@export
def ones(shape, dtype=None):
    return full(shape, 1, dtype)


# ----- ranges and identity matrices ---------------------------------------------------------


def _arange_infer(shapes, dtypes, start, stop, step, dtype):
    if step == 0:
        raise ValueError("arange: step must not be 0")
    return (max(math.ceil((stop - start) / step), 0),), numpy.dtype(dtype)


_arange = primitive(
    "arange",
    lambda xp, start, stop, step, dtype: device.current_xp().arange(start, stop, step, dtype=dtype),
    None,
    _arange_infer,
)


def _number_dtype(*numbers):
    """Keras's dtype for Python numbers: int32 for ints, floatx as soon as one is a float."""
    return config.floatx() if any(isinstance(n, float) for n in numbers) else "int32"


@export
def arange(start, stop=None, step=None, dtype=None):
    start, stop = (0, start) if stop is None else (start, stop)
    step = 1 if step is None else step
    dtype = dtype_name(dtype or _number_dtype(start, stop, step))
    return _arange(start=start, stop=stop, step=step, dtype=dtype)


def _eye_infer(shapes, dtypes, rows, columns, k, dtype):
    return (rows, columns), numpy.dtype(dtype)


_eye = primitive(
    "eye", lambda xp, rows, columns, k, dtype: device.current_xp().eye(rows, columns, k, dtype=dtype), None, _eye_infer
)


@export
def eye(N, M=None, k=0, dtype=None):
    rows = int(N)
    return _eye(rows=rows, columns=rows if M is None else int(M), k=int(k), dtype=dtype_name(dtype or config.floatx()))


@export
def identity(n, dtype=None):
    return eye(n, dtype=dtype)


@export
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Evenly spaced numbers between concrete `start` and `stop` (numbers or arrays)."""
    values, step = numpy.linspace(start, stop, int(num), endpoint=endpoint, retstep=True, axis=axis)
    samples = convert_to_tensor(values, dtype or config.floatx())
    return (samples, step) if retstep else samples


# ----- conversions --------------------------------------------------------------------------


def _cast_forward(xp, x, dtype):
    return x.astype(dtype, copy=False)


def _cast_vjp(g, inputs, out, needs, dtype):
    source = numpy.dtype(result_dtype(dtype_of(inputs[0])))
    return (ops.cast(g, source.name) if is_inexact(source) else None,)


_cast = primitive(
    "cast", _cast_forward, _cast_vjp, lambda shapes, dtypes, dtype: (tuple(shapes[0]), numpy.dtype(dtype))
)


@export
def cast(x, dtype):
    """`x` as `dtype`. A tensor that already has it is returned as it is (no op to record); a Variable is
    always read into a new tensor, which later assignments do not change."""
    tensor = type(x) in dispatch.TENSOR_TYPES
    if tensor and dtype is x.dtype:
        return x  # the same numpy dtype object: no name to look up (optimizers cast every gradient)
    try:
        name = dtype_name(dtype)
    except TypeError as error:
        raise TypeError(f"cast: {error} (dtype={dtype!r})") from None
    if tensor and x.dtype == name:
        return x
    return _cast(x, dtype=name)


_KERAS_DEFAULTS = {numpy.dtype("float64"): None, numpy.dtype("int64"): "int32"}


@export
def is_tensor(x):
    """A kerasish tensor of any engine (Tensor, Variable, Symbol, KerasTensor)."""
    return dispatch.is_registered(x)


@export
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Tensors stay what they are (cast when `dtype` differs); arrays, lists and numbers become dynamic
    tensors on the current device, float64 and int64 narrowed to floatx and int32 as Keras does."""
    if sparse or ragged:
        raise ValueError("convert_to_tensor: kerasish has no sparse or ragged tensors")
    if dispatch.is_registered(x):
        return x if dtype is None or x.dtype is dtype or dtype_name(dtype) == x.dtype else cast(x, dtype)
    try:
        array = x if device.is_cupy(x) else as_array(x) if is_foreign_array(x) else numpy.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"convert_to_tensor: {error}") from None
    if array.dtype.kind not in "biufc":
        raise ValueError(
            f"convert_to_tensor: cannot make a tensor of {type(x).__name__} {x!r:.80} (numpy dtype "
            f"{array.dtype}): tensors hold numbers"
        )
    if dtype is None and array.dtype in _KERAS_DEFAULTS:
        dtype = _KERAS_DEFAULTS[array.dtype] or config.floatx()
    return cast(device.to_device(array), dtype or array.dtype)


@export
def convert_to_numpy(x):
    return device.to_numpy(getattr(x, "_data", x))


_stop_gradient = primitive(
    "stop_gradient", lambda xp, x: x, None, lambda shapes, dtypes: (tuple(shapes[0]), result_dtype(dtypes[0]))
)
export(_stop_gradient, name="stop_gradient")


@export
def shape(x):
    """The static shape as a tuple (None for dimensions a static graph does not know)."""
    return shape_of(x)


@export
def ndim(x):
    return len(shape_of(x))


@export
def size(x):
    dims = shape_of(x)
    if None in dims:
        raise ValueError(f"size: the shape {dims} has unknown dimensions")
    return int(numpy.prod(dims, dtype=numpy.int64))
