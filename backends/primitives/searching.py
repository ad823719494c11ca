"""Finding positions and members as Keras's: searchsorted, argpartition, nonzero, unique, isin and
unravel_index. Their results are indices, counts or booleans: none has a gradient. nonzero and unique (without
`size`) have data-dependent lengths, which a static shape records as None.
"""

import math

import numpy

from .checks import check_range
from .registry import dtype_of, export, int_argument, normalize_axis, ops, primitive, result_dtype, shape_of

_INT32 = numpy.dtype("int32")


def _searchsorted_infer(shapes, dtypes, side):
    if len(shapes[0]) != 1:
        raise ValueError(
            "searchsorted: `searchsorted` only supports 1-D sorted sequences. You can use "
            "`keras.ops.vectorized_map` to extend it to N-D sequences. Received: "
            f"sorted_sequence.shape={tuple(shapes[0])}"
        )
    return tuple(shapes[1]), _INT32


_searchsorted = primitive(
    "searchsorted",
    lambda xp, sequence, values, side: xp.searchsorted(sequence, values, side=side).astype("int32"),
    None,
    _searchsorted_infer,
)


@export
def searchsorted(sorted_sequence, values, side="left"):
    """The indices at which `values` would be inserted into the 1-D `sorted_sequence` to keep it sorted."""
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: `side` must be 'left' or 'right', received side={side!r}")
    return _searchsorted(sorted_sequence, values, side=side)


def _argpartition_infer(shapes, dtypes, kth, axis):
    shape = tuple(shapes[0])
    position = normalize_axis("argpartition", axis, len(shape))[0]
    size = shape[position]
    if size is not None and not -size <= kth < size:
        raise ValueError(f"argpartition: kth={kth} is out of bounds for axis {axis} of size {size} (shape {shape})")
    return shape, _INT32


_argpartition = primitive(
    "argpartition",
    lambda xp, x, kth, axis: xp.argpartition(x, kth, axis=axis).astype("int32"),
    None,
    _argpartition_infer,
)


@export
def argpartition(x, kth, axis=-1):
    """Indices that put the kth element of each slice where sorting would, smaller ones before it and larger
    ones after (in no particular order)."""
    return _argpartition(
        x, kth=int_argument("argpartition", "kth", kth), axis=int_argument("argpartition", "axis", axis)
    )


def _argwhere_infer(shapes, dtypes):
    return (None, len(shapes[0])), _INT32


_argwhere = primitive("argwhere", lambda xp, x: xp.argwhere(x).astype("int32"), None, _argwhere_infer)


@export
def nonzero(x):
    """The indices of the non-zero elements of x: one int32 tensor per axis."""
    rank = len(shape_of(x))
    if rank == 0:
        raise ValueError("nonzero: x must have rank 1 or more, received a scalar")
    positions = _argwhere(x)
    return tuple(ops.getitem(positions, (slice(None), axis)) for axis in range(rank))


_UNIQUE_PARTS = ("values", "index", "inverse", "counts")


def _unique_forward(xp, x, part, axis, size, fill_value):
    values, index, inverse, counts = xp.unique(
        x, return_index=True, return_inverse=True, return_counts=True, axis=axis, equal_nan=False
    )
    if part == "inverse":
        return inverse.astype("int32").reshape(x.shape if axis is None else (-1,))
    result = {"values": values, "index": index.astype("int32"), "counts": counts.astype("int32")}[part]
    if size is None:
        return result
    dim = 0 if axis is None or part != "values" else axis
    found = result.shape[dim]
    if found >= size:
        return xp.take(result, xp.arange(size), axis=dim)
    widths = [(0, 0)] * result.ndim
    widths[dim] = (0, size - found)
    fill = {"values": 0 if fill_value is None else fill_value, "index": 1, "counts": 0}[part]
    return xp.pad(result, widths, constant_values=fill)


def _unique_infer(shapes, dtypes, part, axis, size, fill_value):
    shape = tuple(shapes[0])
    if part == "inverse":
        return (shape if axis is None else (shape[axis],)), _INT32
    if part != "values":
        return (size,), _INT32
    if axis is None:
        return (size,), numpy.dtype(result_dtype(dtypes[0]))
    return shape[:axis] + (size,) + shape[axis + 1 :], numpy.dtype(result_dtype(dtypes[0]))


_unique = primitive("unique", _unique_forward, None, _unique_infer)


@export
def unique(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    """The sorted unique elements of x (or slices along `axis`), and on request the index of each one's first
    occurrence, the index of each element's unique value, and each unique value's count. With `size` the
    results are padded (values with `fill_value`, default 0; counts with 0) or truncated to that length."""
    if not sorted:
        raise ValueError("unique: kerasish returns the unique values sorted, as numpy does; sorted=False is refused")
    if axis is not None:
        axis = normalize_axis("unique", axis, len(shape_of(x)))[0]
    if size is not None:
        size = int_argument("unique", "size", size)
        if size < 0:
            raise ValueError(f"unique: size must be non-negative, received size={size}")
    wanted = ("values",) + tuple(
        part for part, flag in zip(_UNIQUE_PARTS[1:], (return_index, return_inverse, return_counts)) if flag
    )
    results = tuple(_unique(x, part=part, axis=axis, size=size, fill_value=fill_value) for part in wanted)
    return results[0] if len(results) == 1 else results


_isin = primitive(
    "isin",
    lambda xp, x1, x2, assume_unique, invert: xp.isin(x1, x2, assume_unique=assume_unique, invert=invert),
    None,
    lambda shapes, dtypes, assume_unique, invert: (tuple(shapes[0]), numpy.dtype(bool)),
)


@export
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of x1 is among the elements of x2 (not among them, with `invert`)."""
    return _isin(x1, x2, assume_unique=bool(assume_unique), invert=bool(invert))


@export
def unravel_index(indices, shape):
    """The coordinates in an array of `shape` of each flat index: a tuple of one tensor per dimension."""
    shape = tuple(int_argument("unravel_index", "shape", d) for d in shape)
    indices = ops.convert_to_tensor(indices)
    if dtype_of(indices).kind not in "iu":
        raise TypeError(f"unravel_index: indices must be integers, received dtype {dtype_of(indices)}")
    total = math.prod(shape)
    indices = check_range(
        indices,
        low=0,
        high=total,
        error="ValueError",
        message=f"unravel_index: index {{value}} is out of bounds for an array of shape {shape} "
        f"(size {total}; indices shape {{shape}})",
    )
    coordinates = []
    for size in reversed(shape):
        coordinates.append(ops.mod(indices, size))
        indices = ops.floor_divide(indices, size)
    return tuple(reversed(coordinates))
