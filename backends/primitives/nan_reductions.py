"""numpy's NaN-ignoring reductions as Keras's: nansum, nanmean, nanmax, nanmin, nanprod, nanvar, nanstd,
nanargmax, nanargmin, nancumsum and nancumprod (nanmedian and the NaN-ignoring quantiles are in
statistics.py). Each is its reduction over `x` with the NaNs replaced by the reduction's neutral value, so
gradients flow to the numbers and never to the NaNs. Integer and boolean inputs hold no NaN: they reduce
as they are.

An all-NaN slice gives NaN (nanmax, nanmin, nanmean, nanvar, nanstd), 0 (nansum), 1 (nanprod) or -1
(nanargmax, nanargmin), as in Keras.
"""

import numpy

from .. import config
from .reduction import axis_attr
from .registry import dtype_of, export, normalize_axis, ops, result_dtype, shape_of


def _axis(name, x, axis):
    """`axis` as an attribute, refused by name where it does not fit x."""
    axis = axis_attr(axis)
    normalize_axis(name, axis, len(shape_of(x)))
    return axis


def _has_nan(x):
    return numpy.dtype(result_dtype(dtype_of(x))).kind in "fc"


def _replaced(x, value):
    """`x` with its NaNs replaced by `value`, and the mask of the numbers (None for integers)."""
    if not _has_nan(x):
        return x, None
    numbers = ops.logical_not(ops.isnan(x))
    return ops.where(numbers, x, value), numbers


def _nan_where_empty(result, numbers, axis, keepdims):
    if numbers is None:
        return result
    return ops.where(ops.any(numbers, axis=axis, keepdims=keepdims), result, numpy.nan)


@export
def nansum(x, axis=None, keepdims=False):
    axis = _axis("nansum", x, axis)
    return ops.sum(_replaced(x, 0)[0], axis=axis_attr(axis), keepdims=keepdims)


@export
def nanprod(x, axis=None, keepdims=False):
    axis = _axis("nanprod", x, axis)
    return ops.prod(_replaced(x, 1)[0], axis=axis_attr(axis), keepdims=keepdims)


@export
def nanmax(x, axis=None, keepdims=False):
    axis = _axis("nanmax", x, axis)
    values, numbers = _replaced(x, -numpy.inf)
    return _nan_where_empty(ops.max(values, axis=axis_attr(axis), keepdims=keepdims), numbers, axis, keepdims)


@export
def nanmin(x, axis=None, keepdims=False):
    axis = _axis("nanmin", x, axis)
    values, numbers = _replaced(x, numpy.inf)
    return _nan_where_empty(ops.min(values, axis=axis_attr(axis), keepdims=keepdims), numbers, axis, keepdims)


def _float(x):
    return x if _has_nan(x) else ops.cast(x, config.floatx())


@export
def nanmean(x, axis=None, keepdims=False):
    axis = _axis("nanmean", x, axis)
    x = _float(x)
    values, numbers = _replaced(x, 0)
    axis = axis_attr(axis)
    total = ops.sum(values, axis=axis, keepdims=keepdims)
    count = ops.sum(ops.cast(numbers, total.dtype), axis=axis, keepdims=keepdims)
    return ops.where(ops.greater(count, 0), ops.divide(total, ops.maximum(count, 1)), numpy.nan)


@export
def nanvar(x, axis=None, keepdims=False):
    axis = _axis("nanvar", x, axis)
    x = _float(x)
    axis = axis_attr(axis)
    values, numbers = _replaced(x, 0)
    centred = ops.subtract(values, nanmean(x, axis=axis, keepdims=True))
    if numbers is not None:  # zeros, not NaNs, where x is NaN: a NaN there would reach the mean's gradient
        centred = ops.where(numbers, centred, 0.0)
    squares = ops.square(centred)
    return nanmean(squares if numbers is None else ops.where(numbers, squares, numpy.nan), axis=axis, keepdims=keepdims)


@export
def nanstd(x, axis=None, keepdims=False):
    axis = _axis("nanstd", x, axis)
    return ops.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_arg(reduce, x, axis, keepdims, fill):
    if not _has_nan(x):
        return reduce(x, axis=axis, keepdims=keepdims)
    values, numbers = _replaced(x, fill)
    index = reduce(values, axis=axis, keepdims=keepdims)
    return ops.where(ops.any(numbers, axis=axis, keepdims=keepdims), index, -1)


@export
def nanargmax(x, axis=None, keepdims=False):
    axis = _axis("nanargmax", x, axis)
    return _nan_arg(ops.argmax, x, axis, keepdims, -numpy.inf)


@export
def nanargmin(x, axis=None, keepdims=False):
    axis = _axis("nanargmin", x, axis)
    return _nan_arg(ops.argmin, x, axis, keepdims, numpy.inf)


@export
def nancumsum(x, axis=None, dtype=None):
    axis = _axis("nancumsum", x, axis)
    return ops.cumsum(_replaced(x, 0)[0], axis=axis, dtype=dtype)


@export
def nancumprod(x, axis=None, dtype=None):
    axis = _axis("nancumprod", x, axis)
    return ops.cumprod(_replaced(x, 1)[0], axis=axis, dtype=dtype)
