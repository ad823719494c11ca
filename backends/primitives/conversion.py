"""Copying and reinterpreting tensors as Keras's: copy, view (the same bits as another dtype), saturate_cast
(a cast that clips to the target's range first) and dtype (the Keras name of a tensor's dtype)."""

import numpy

from ..dtypes import standardize_dtype
from .creation import dtype_name
from .registry import dtype_of, export, ops, primitive, result_dtype

_copy = primitive(
    "copy",
    lambda xp, x: x.copy(),
    lambda g, inputs, out, needs: (g,),
    lambda shapes, dtypes: (tuple(shapes[0]), numpy.dtype(result_dtype(dtypes[0]))),
    saves=(),
    fresh=True,
)


def _view_infer(shapes, dtypes, dtype):
    shape, source, target = tuple(shapes[0]), numpy.dtype(result_dtype(dtypes[0])), numpy.dtype(dtype)
    if source.itemsize == target.itemsize:
        return shape, target
    last = shape[-1] if shape else 0
    if not shape or (last is not None and last * source.itemsize % target.itemsize):
        raise ValueError(
            f"view: cannot view an input of shape {shape} and dtype {source} as {target}: the last axis holds "
            f"{(last or 0) * source.itemsize} bytes, which is not a multiple of {target.itemsize}"
        )
    return shape[:-1] + (None if last is None else last * source.itemsize // target.itemsize,), target


_view = primitive("view", lambda xp, x, dtype: x.view(dtype), None, _view_infer)


@export
def copy(x):
    return _copy(x)


@export
def view(x, dtype=None):
    if dtype is None:
        return x
    return _view(x, dtype=_target_dtype("view", dtype).name)


@export
def dtype(x):
    """The Keras name of `x`'s dtype ("float32", "int32", ...)."""
    return standardize_dtype(dtype_of(x))


def _target_dtype(name, dtype):
    try:
        return numpy.dtype(dtype_name(standardize_dtype(dtype)))
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}: {error}") from None


def _limits(dtype):
    return numpy.iinfo(dtype) if dtype.kind in "iu" else numpy.finfo(dtype)


@export
def saturate_cast(x, dtype):
    """`x` cast to `dtype` with out-of-range values clipped to the target's range (in the input's dtype, the
    bounds moved inwards where that dtype cannot hold them exactly), as Keras does."""
    target = _target_dtype("saturate_cast", dtype)
    source = numpy.dtype(result_dtype(dtype_of(x)))
    if source.kind == "b" or target.kind == "b":
        return ops.cast(x, target.name)
    inside, outside = _limits(source), _limits(target)
    low = numpy.asarray(max(inside.min, outside.min)).astype(source)
    if low.item() < outside.min:  # compared exactly, as Python numbers
        low = numpy.nextafter(low, 0, dtype=source)
    high = numpy.asarray(min(inside.max, outside.max)).astype(source)
    if high.item() > outside.max:
        high = numpy.nextafter(high, 0, dtype=source)
    return ops.cast(ops.clip(x, low, high), target.name)
