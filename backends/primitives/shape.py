"""Shape and indexing ops as Keras's: reshape, transpose, expand_dims, squeeze, concatenate, stack,
split, getitem (`x[...]`), take, take_along_axis, scatter, pad, broadcast_to, tile, repeat, flip, roll,
swapaxes, moveaxis, ravel, unstack.

Indexing has one mechanism: `getitem`, whose gradient `getitem_grad` adds the output gradient into
zeros shaped like the input (with `add.at` when integer arrays index, so repeated indices accumulate).
take, take_along_axis, flip, roll, tile, repeat and the non-constant pad modes are gathers written
with getitem, so they share that gradient. A getitem index is an attribute: ints, None, "..." and
("slice", start, stop, step); index arrays (and boolean masks) are extra inputs, written ("array", k)
for input k. Forward kernels return views where numpy does (reshape, transpose, basic indexing).
"""

import math

import numpy

from .checks import check_range
from .creation import is_tensor
from .reduction import axis_attr
from .registry import (
    broadcast_shapes,
    describe,
    dtype_of,
    export,
    int_argument,
    normalize_axis,
    ops,
    primitive,
    result_dtype,
    shape_of,
)


def _known(shape):
    return None not in shape


def _static_size(name, shape, axis):
    size = shape[axis]
    if size is None:
        raise ValueError(f"{name}: needs the size of axis {axis}, which the static shape {tuple(shape)} does not know")
    return size


# ----- reshape and friends ------------------------------------------------------------------


def _reshape_infer(shapes, dtypes, shape):
    source = tuple(shapes[0])
    if any(d < -1 for d in shape):
        raise ValueError(f"reshape: the new shape {shape} may hold one -1 and otherwise non-negative sizes")
    fixed = math.prod(d for d in shape if d != -1)
    if not _known(source):  # symbolic: several unknown sizes are fine until real shapes arrive
        return tuple(None if d == -1 else d for d in shape), dtypes[0]
    if list(shape).count(-1) > 1:
        raise ValueError(f"reshape: the new shape {shape} may hold one -1 and otherwise non-negative sizes")
    total = math.prod(source)
    if -1 in shape:
        if fixed == 0 or total % fixed:
            raise ValueError(
                f"reshape: cannot reshape an input of shape {source} ({total} elements) into shape "
                f"{shape}: {total} is not a multiple of {fixed}"
            )
        return tuple(total // fixed if d == -1 else d for d in shape), dtypes[0]
    if fixed != total:
        raise ValueError(
            f"reshape: cannot reshape an input of shape {source} ({total} elements) into shape "
            f"{shape} ({fixed} elements)"
        )
    return tuple(shape), dtypes[0]


def reshape_as(g, x):
    """`g` reshaped to the shape of `x`: a plain reshape when the static shape is known, else read at run time."""
    target = shape_of(x)
    return _reshape(g, shape=target) if _known(target) else _reshape_like(g, x)


_reshape = primitive(
    "reshape",
    lambda xp, x, shape: x.reshape(shape),
    lambda g, inputs, out, needs, shape: (reshape_as(g, inputs[0]),),
    _reshape_infer,
    saves=(),
)
_reshape_like = primitive(
    "reshape_like",
    lambda xp, x, like: x.reshape(like.shape),
    lambda g, inputs, out, needs: (_reshape_like(g, inputs[0]), None),
    lambda shapes, dtypes: (tuple(shapes[1]), dtypes[0]),
    shape_only=(1,),
)


@export
def reshape(x, newshape):
    newshape = (newshape,) if isinstance(newshape, (int, numpy.integer)) else newshape
    return _reshape(x, shape=tuple(-1 if d is None else int_argument("reshape", "newshape", d) for d in newshape))


@export
def ravel(x):
    return _reshape(x, shape=(-1,))


def _transpose_infer(shapes, dtypes, axes):
    shape = shapes[0]
    if sorted(axes) != list(range(len(shape))):
        raise ValueError(
            f"transpose: axes {axes} are not a permutation of the axes of an input of shape {tuple(shape)}"
        )
    return tuple(shape[a] for a in axes), dtypes[0]


_transpose = primitive(
    "transpose",
    lambda xp, x, axes: x.transpose(axes),  # the method: the same view without numpy's Python wrapper
    lambda g, inputs, out, needs, axes: (_transpose(g, axes=tuple(numpy.argsort(axes).tolist())),),
    _transpose_infer,
    saves=(),
)


@export
def transpose(x, axes=None):
    rank = len(shape_of(x))
    if axes is None:
        return _transpose(x, axes=tuple(range(rank))[::-1])
    axes = [int_argument("transpose", "axes", a) for a in axes]
    return _transpose(x, axes=tuple(a + rank if -rank <= a < 0 else a for a in axes))


@export
def swapaxes(x, axis1, axis2):
    axes = list(range(len(shape_of(x))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return _transpose(x, axes=tuple(axes))


def _axis_list(name, axes, rank):
    return [normalize_axis(name, a, rank)[0] for a in ((axes,) if isinstance(axes, (int, numpy.integer)) else axes)]


@export
def moveaxis(x, source, destination):
    rank = len(shape_of(x))
    source, destination = _axis_list("moveaxis", source, rank), _axis_list("moveaxis", destination, rank)
    if len(source) != len(destination):
        raise ValueError(f"moveaxis: source {source} and destination {destination} differ in length")
    rest = [a for a in range(rank) if a not in source]
    for place, axis in sorted(zip(destination, source)):
        rest.insert(place, axis)
    return _transpose(x, axes=tuple(rest))


def _expand_infer(shapes, dtypes, axis):
    shape = list(shapes[0])
    for a in normalize_axis("expand_dims", axis, len(shape) + len(axis)):
        shape.insert(a, 1)
    return tuple(shape), dtypes[0]


def _squeeze_infer(shapes, dtypes, axis):
    shape = shapes[0]
    axes = normalize_axis("squeeze", axis, len(shape))
    for a in axes:
        if shape[a] not in (1, None):
            raise ValueError(f"squeeze: cannot squeeze axis {a} of size {shape[a]} (input shape {tuple(shape)})")
    return tuple(d for i, d in enumerate(shape) if i not in axes), dtypes[0]


_expand_dims = primitive(
    "expand_dims",
    lambda xp, x, axis: xp.expand_dims(x, axis),
    lambda g, inputs, out, needs, axis: (_squeeze(g, axis=axis),),
    _expand_infer,
    saves=(),
)
_squeeze = primitive(
    "squeeze",
    lambda xp, x, axis: xp.squeeze(x, axis),
    lambda g, inputs, out, needs, axis: (_expand_dims(g, axis=axis),),
    _squeeze_infer,
    saves=(),
)


@export
def expand_dims(x, axis):
    axes = (axis,) if isinstance(axis, (int, numpy.integer)) else axis
    rank = len(shape_of(x)) + len(axes)
    return _expand_dims(x, axis=normalize_axis("expand_dims", axes, rank))


@export
def squeeze(x, axis=None):
    shape = shape_of(x)
    if axis is None:  # the axes of static size 1: an unknown dimension is kept, whatever its size at run time
        axes = tuple(i for i, d in enumerate(shape) if d == 1)
    else:
        axes = normalize_axis("squeeze", axis_attr(axis), len(shape))
    return _squeeze(x, axis=axes)


def _broadcast_to_infer(shapes, dtypes, shape):
    result = broadcast_shapes("broadcast_to", shapes[0], shape)
    if result != tuple(shape):
        raise ValueError(f"broadcast_to: cannot broadcast an input of shape {tuple(shapes[0])} to shape {shape}")
    return result, dtypes[0]


_broadcast_to = primitive(
    "broadcast_to",
    lambda xp, x, shape: xp.broadcast_to(x, shape),
    lambda g, inputs, out, needs, shape: (g,),
    _broadcast_to_infer,
    saves=(),
)


@export
def broadcast_to(x, shape):
    return _broadcast_to(x, shape=tuple(int(d) for d in shape))


# ----- joining and splitting ----------------------------------------------------------------


def _concatenate_infer(shapes, dtypes, axis):
    if not shapes:
        raise ValueError("concatenate: needs at least one input")
    rank = len(shapes[0])
    if rank == 0 or any(len(s) != rank for s in shapes):
        raise ValueError(f"concatenate: inputs must have the same rank of at least 1, got shapes {describe(shapes)}")
    position = normalize_axis("concatenate", axis, rank)[0]
    result = []
    for i in range(rank):
        dims = [s[i] for s in shapes]
        if i == position:
            result.append(None if None in dims else sum(dims))
            continue
        known = {d for d in dims if d is not None}
        if len(known) > 1:
            raise ValueError(
                f"concatenate: input shapes {describe(shapes)} differ on axis {i} "
                f"(sizes {sorted(known)}); only axis {position} may differ"
            )
        result.append(known.pop() if known else None)
    return tuple(result), result_dtype(*dtypes)


def _concatenate_vjp(g, inputs, out, needs, axis):
    position = normalize_axis("concatenate", axis, len(shape_of(g)))[0]
    grads, start = [], 0
    for x, need in zip(inputs, needs):
        stop = start + _static_size("concatenate gradient", shape_of(x), position)
        grads.append(getitem(g, (slice(None),) * position + (slice(start, stop),)) if need else None)
        start = stop
    return tuple(grads)


_concatenate = primitive(
    "concatenate", lambda xp, *xs, axis: xp.concatenate(xs, axis=axis), _concatenate_vjp, _concatenate_infer
)


@export
def concatenate(xs, axis=0):
    return _concatenate(*xs, axis=int(axis))


@export
def stack(x, axis=0):
    return _concatenate(*[expand_dims(t, axis) for t in x], axis=int(axis))


@export
def split(x, indices_or_sections, axis=0):
    shape = shape_of(x)
    axis = normalize_axis("split", axis, len(shape))[0]
    size = _static_size("split", shape, axis)
    if isinstance(indices_or_sections, (int, numpy.integer)):
        if indices_or_sections <= 0 or size % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {size} cannot be split into {indices_or_sections} equal "
                f"sections (input shape {shape})"
            )
        step = size // indices_or_sections
        bounds = list(range(0, size + 1, step))
    else:
        bounds = [0, *(int(i) for i in indices_or_sections), size]
    lead = (slice(None),) * axis
    return [getitem(x, lead + (slice(start, stop),)) for start, stop in zip(bounds, bounds[1:])]


@export
def unstack(x, num=None, axis=0):
    shape = shape_of(x)
    axis = normalize_axis("unstack", axis, len(shape))[0]
    count = _static_size("unstack", shape, axis)
    if num is not None and num != count:
        raise ValueError(f"unstack: num={num} does not match axis {axis} of size {count} (input shape {shape})")
    return [getitem(x, (slice(None),) * axis + (i,)) for i in range(count)]


# ----- indexing -----------------------------------------------------------------------------


def _bound(value):
    return None if value is None else int(value)


def _encode(index):
    """A Python index as (attribute, index arrays): see the module docstring."""
    items = index if isinstance(index, tuple) else (index,)
    encoded, arrays = [], []
    for item in items:
        if item is None:
            encoded.append(None)
        elif item is Ellipsis:
            encoded.append("...")
        elif isinstance(item, slice):
            encoded.append(("slice", _bound(item.start), _bound(item.stop), _bound(item.step)))
        elif isinstance(item, (bool, numpy.bool_)):
            raise TypeError(f"getitem: a lone boolean index ({item}) is not supported; index with a boolean array")
        elif isinstance(item, (int, numpy.integer)):
            encoded.append(int(item))
        else:
            if not is_tensor(item) and not hasattr(item, "dtype"):
                item = numpy.asarray(item)
                item = item.astype(numpy.intp) if item.size == 0 else item
            arrays.append(item)
            encoded.append(("array", len(arrays)))
    return tuple(encoded), arrays


def _decode(index, arrays):
    key = []
    for item in index:
        if type(item) is tuple:
            key.append(arrays[item[1] - 1] if item[0] == "array" else slice(*item[1:]))
        else:
            key.append(Ellipsis if item == "..." else item)
    return tuple(key)


def _consumed(item, dtypes, shapes):
    if item is None or item == "...":
        return 0
    if type(item) is tuple and item[0] == "array" and numpy.dtype(dtypes[item[1]]) == bool:
        return len(shapes[item[1]])
    return 1


def _getitem_infer(shapes, dtypes, index):
    """numpy's indexing rules over static shapes (None for unknown sizes, and for masked counts)."""
    shape = tuple(shapes[0])
    used = sum(_consumed(item, dtypes, shapes) for item in index)
    ellipses = [i for i, item in enumerate(index) if item == "..."]
    if len(ellipses) > 1:
        raise IndexError(f"getitem: an index can only have a single ellipsis (input shape {shape})")
    if used > len(shape):
        raise IndexError(f"getitem: too many indices for an input of shape {shape}: {used} axes indexed")
    fill = (("slice", None, None, None),) * (len(shape) - used)
    items = index[: ellipses[0]] + fill + index[ellipses[0] + 1 :] if ellipses else index + fill
    advanced = any(type(item) is tuple and item[0] == "array" for item in items)
    output, gathered, places, axis = [], [], [], 0
    for position, item in enumerate(items):
        if item is None:
            output.append(1)
        elif type(item) is tuple and item[0] == "slice":
            output.append(_slice_length(item[1:], shape[axis]))
            axis += 1
        elif type(item) is tuple:
            array_shape, count = tuple(shapes[item[1]]), _consumed(item, dtypes, shapes)
            if count > 1 or numpy.dtype(dtypes[item[1]]) == bool:
                _check_mask(shape[axis : axis + count], array_shape, shape)
                array_shape = (None,)
            gathered.append(array_shape)
            places.append(position)
            axis += count
        else:
            _check_int(item, shape[axis], axis, shape)
            if advanced:
                gathered.append(())
                places.append(position)
            axis += 1
    if gathered:
        combined = list(broadcast_shapes("getitem", *gathered))
        first = sum(1 for item in items[: places[0]] if item is None or (type(item) is tuple and item[0] == "slice"))
        adjacent = places == list(range(places[0], places[0] + len(places)))
        output[first if adjacent else 0 : first if adjacent else 0] = combined
    return tuple(output), dtypes[0]


def _slice_length(bounds, size):
    if bounds[2] == 0:
        raise ValueError("getitem: slice step cannot be zero")
    if size is None:
        return None
    return len(range(*slice(*bounds).indices(size)))


def _check_int(index, size, axis, shape):
    if size is not None and not -size <= index < size:
        raise IndexError(
            f"getitem: index {index} is out of bounds for axis {axis} with size {size} (input shape {shape})"
        )


def _check_mask(dims, mask_shape, shape):
    clash = any(a is not None and b is not None and a != b for a, b in zip(dims, mask_shape))
    if len(mask_shape) != len(dims) or clash:
        raise IndexError(
            f"getitem: a boolean mask of shape {mask_shape} does not match the indexed dimensions "
            f"{tuple(dims)} of an input of shape {shape}"
        )


def _getitem_vjp(g, inputs, out, needs, index):
    return (_getitem_grad(g, *inputs, index=index) if needs[0] else None,) + (None,) * (len(inputs) - 1)


def _getitem_grad_forward(xp, g, like, *arrays, index):
    result = xp.zeros(like.shape, g.dtype)
    key = _decode(index, arrays)
    if any(a.dtype.kind in "iu" for a in arrays):
        xp.add.at(result, key, g)  # repeated indices accumulate
    else:
        result[key] = g
    return result


def _getitem_grad_vjp(g, inputs, out, needs, index):
    return (_getitem(g, *inputs[2:], index=index) if needs[0] else None,) + (None,) * (len(inputs) - 1)


_getitem = primitive("getitem", lambda xp, x, *arrays, index: x[_decode(index, arrays)], _getitem_vjp, _getitem_infer)
_getitem_grad = primitive(
    "getitem_grad",
    _getitem_grad_forward,
    _getitem_grad_vjp,
    lambda shapes, dtypes, index: (tuple(shapes[1]), dtypes[0]),
    shape_only=(1,),
)


@export
def getitem(x, index):
    """`x[index]` with numpy's rules: ints, slices (with steps), Ellipsis, None, integer arrays and
    boolean masks (whose selected count a static shape cannot know: it is None there). Integer arrays
    before any Ellipsis are checked against their axis's known size."""
    index, arrays = _encode(index)
    shape, axis = shape_of(x), 0
    for item in index:
        if item == "...":
            break
        if type(item) is tuple and item[0] == "array":
            array = arrays[item[1] - 1]
            if dtype_of(array).kind in "iu" and axis < len(shape):
                arrays[item[1] - 1] = _checked_indices("getitem", array, shape[axis], axis)
            axis += len(shape_of(array)) if dtype_of(array).kind == "b" else 1
        elif item is not None:
            axis += 1
    return _getitem(x, *arrays, index=index)


def _gather_with(x, index):
    """`x[index]` for indices known to be in range (computed by the op itself, or checked already)."""
    index, arrays = _encode(index)
    return _getitem(x, *arrays, index=index)


@export
def take(x, indices, axis=None):
    if axis is None:
        x, axis = _reshape(x, shape=(-1,)), 0
    axis = normalize_axis("take", axis, len(shape_of(x)))[0]
    return _gather_with(x, (slice(None),) * axis + (_checked_indices("take", indices, shape_of(x)[axis], axis),))


INDEX_RANGE = "{name}: index {{value}} is out of bounds for axis {axis} with size {size} (indices shape {{shape}})"


def _checked_indices(name, indices, size, axis):
    """Array indices checked against [-size, size) when the size is known (cupy would wrap around)."""
    if isinstance(indices, (list, tuple)):
        indices = numpy.asarray(indices)
    dtype = numpy.dtype(getattr(indices, "dtype", type(indices)))
    if dtype.kind not in "iub":
        raise TypeError(f"{name}: indices must be integers, got dtype {dtype} (indices {indices!r:.80})")
    if size is None or isinstance(indices, (int, numpy.integer)):
        return indices
    return _checked(
        indices, low=-size, high=size, error="IndexError", message=INDEX_RANGE.format(name=name, axis=axis, size=size)
    )


def _checked(indices, **attrs):
    if isinstance(indices, (list, tuple, numpy.ndarray)):  # host values: checked now, no op
        return check_range.forward(numpy, numpy.asarray(indices), **attrs)
    return check_range(indices, **attrs)


def _static_shape(name, x):
    shape = shape_of(x)
    if not _known(shape):
        raise ValueError(f"{name}: needs a fully known static shape, got {shape}")
    return shape


@export
def take_along_axis(x, indices, axis=None):
    if axis is None:
        x, axis = _reshape(x, shape=(-1,)), 0
    shape = _static_shape("take_along_axis", x)
    axis = normalize_axis("take_along_axis", axis, len(shape))[0]
    if len(shape_of(indices)) != len(shape):
        raise ValueError(
            f"take_along_axis: indices of shape {shape_of(indices)} must have the rank of the input (shape {shape})"
        )
    indices = _checked_indices("take_along_axis", indices, shape[axis], axis)
    key = tuple(
        indices if i == axis else numpy.arange(d).reshape([-1 if j == i else 1 for j in range(len(shape))])
        for i, d in enumerate(shape)
    )
    return _gather_with(x, key)


def _gather(x, index_of_axis, axes, name):
    """x gathered along each axis with the static index array `index_of_axis(axis, size)`."""
    shape = shape_of(x)
    for axis in axes:
        index = index_of_axis(axis, _static_size(name, shape, axis))
        x = _gather_with(x, (slice(None),) * axis + (index,))
    return x


@export
def flip(x, axis=None):
    rank = len(shape_of(x))
    axes = normalize_axis("flip", axis_attr(axis), rank)
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(rank)))


@export
def roll(x, shift, axis=None):
    if axis is None:
        return _reshape_like(roll(_reshape(x, shape=(-1,)), shift, 0), x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shifts = (shift,) * len(axes) if isinstance(shift, int) else tuple(shift)
    rank = len(shape_of(x))
    by_axis = {normalize_axis("roll", a, rank)[0]: s for a, s in zip(axes, shifts)}
    return _gather(x, lambda a, size: (numpy.arange(size) - by_axis[a]) % size, sorted(by_axis), "roll")


@export
def tile(x, repeats):
    repeats = tuple(
        int_argument("tile", "repeats", r) for r in (repeats if isinstance(repeats, (list, tuple)) else (repeats,))
    )
    if any(r < 0 for r in repeats):
        raise ValueError(f"tile: `repeats` must be non-negative, received {repeats}")
    rank = len(shape_of(x))
    if len(repeats) > rank:
        x = expand_dims(x, tuple(range(len(repeats) - rank)))
    repeats = (1,) * (len(shape_of(x)) - len(repeats)) + repeats
    axes = [a for a, r in enumerate(repeats) if r != 1]
    return _gather(x, lambda a, size: numpy.tile(numpy.arange(size), repeats[a]), axes, "tile")


@export
def repeat(x, repeats, axis=None):
    if axis is None:
        x, axis = _reshape(x, shape=(-1,)), 0
    axis = normalize_axis("repeat", axis, len(shape_of(x)))[0]
    if any(
        isinstance(r, (int, numpy.integer)) and r < 0
        for r in (repeats if isinstance(repeats, (list, tuple)) else (repeats,))
    ):
        raise ValueError(f"repeat: `repeats` must be non-negative, received {repeats}")
    size = shape_of(x)[axis]
    if isinstance(repeats, (list, tuple)) and size is not None and len(repeats) not in (1, size):
        raise ValueError(
            f"repeat: `repeats` must be one number or one per element along axis {axis} ({size}), "
            f"received {len(repeats)}: {list(repeats)} (input shape {shape_of(x)})"
        )
    return _gather(x, lambda a, size: numpy.repeat(numpy.arange(size), repeats), [axis], "repeat")


# ----- scatter and pad ----------------------------------------------------------------------


def _scatter_key(indices):
    return tuple(indices[..., i] for i in range(indices.shape[-1]))


def _scatter_forward(xp, indices, values, shape):
    result = xp.zeros(shape, values.dtype)
    xp.add.at(result, _scatter_key(indices), values)
    return result


def _scatter_infer(shapes, dtypes, shape):
    indices, values = shapes
    depth = indices[-1] if indices else None
    if depth is None or depth > len(shape):
        raise ValueError(
            f"scatter: indices of shape {tuple(indices)} must end in a known coordinate count of at "
            f"most {len(shape)} (output shape {shape})"
        )
    expected = tuple(indices[:-1]) + tuple(shape[depth:])
    if len(values) != len(expected) or any(
        a is not None and b is not None and a != b for a, b in zip(values, expected)
    ):
        raise ValueError(
            f"scatter: values of shape {tuple(values)} do not fit indices of shape {tuple(indices)} "
            f"into an output of shape {shape} (expected {expected})"
        )
    return tuple(shape), result_dtype(dtypes[1])


def _scatter_vjp(g, inputs, out, needs, shape):
    indices = inputs[0]
    depth = shape_of(indices)[-1]
    key = tuple(getitem(indices, (Ellipsis, i)) for i in range(depth))
    return None, _gather_with(g, key) if needs[1] else None


_scatter = primitive("scatter", _scatter_forward, _scatter_vjp, _scatter_infer)


@export
def scatter(indices, values, shape):
    """zeros(shape) with `values` added at `indices` (last axis: coordinates); repeated indices add up."""
    shape = tuple(int(d) for d in shape)
    depth = shape_of(indices)[-1] if shape_of(indices) else None
    if depth is not None and 0 < depth <= len(shape):
        indices = _checked(
            indices,
            low=tuple(-d for d in shape[:depth]),
            high=shape[:depth],
            error="IndexError",
            message=f"scatter: index {{value}} is out of bounds for an output of shape {shape} "
            f"(indices shape {{shape}})",
        )
    return _scatter(indices, values, shape=shape)


def _pad_infer(shapes, dtypes, pad_width, constant_values):
    shape = shapes[0]
    if len(pad_width) != len(shape):
        raise ValueError(f"pad: pad_width {pad_width} does not match an input of shape {tuple(shape)}")
    return tuple(None if d is None else d + before + after for d, (before, after) in zip(shape, pad_width)), dtypes[0]


def _pad_vjp(g, inputs, out, needs, pad_width, constant_values):
    return (getitem(g, tuple(slice(before, -after or None) for before, after in pad_width)),)


_pad = primitive(
    "pad",
    lambda xp, x, pad_width, constant_values: xp.pad(x, pad_width, constant_values=constant_values),
    _pad_vjp,
    _pad_infer,
    saves=(),
)

_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


@export
def pad(x, pad_width, mode="constant", constant_values=None):
    rank = len(shape_of(x))
    try:
        widths = numpy.broadcast_to(numpy.asarray(pad_width, dtype=int), (rank, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width} does not fit an input of shape {shape_of(x)}") from None
    widths = tuple((int(before), int(after)) for before, after in widths)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, got {mode!r}")
    if mode == "constant":
        return _pad(x, pad_width=widths, constant_values=0 if constant_values is None else constant_values)
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only used with mode='constant', not {mode!r}")
    axes = [a for a, width in enumerate(widths) if width != (0, 0)]
    return _gather(x, lambda a, size: numpy.pad(numpy.arange(size), widths[a], mode=mode), axes, "pad")


@export
def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with the entries at `indices` replaced by `updates` (a repeated index gets the sum of its updates)."""
    if reduction is not None:
        raise ValueError(f"scatter_update: reduction={reduction!r} is not supported (only None)")
    shape = _static_shape("scatter_update", inputs)
    hit = ops.greater(scatter(indices, ops.ones_like(updates), shape), 0)
    return ops.where(hit, scatter(indices, updates, shape), inputs)


@export
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of the rows of `data` that share a segment id; without num_segments the ids must be concrete."""
    if num_segments is None:
        num_segments = int(numpy.max(numpy.asarray(segment_ids))) + 1
    rows = _static_shape("segment_sum", data)[1:]
    return scatter(expand_dims(segment_ids, -1), data, (int(num_segments), *rows))


# ----- static slices and triangles -----------------------------------------------------------


def _slice_key(start_indices, shape):
    return tuple(slice(int(start), int(start) + int(size)) for start, size in zip(start_indices, shape))


@export(name="slice")
def slice_of(inputs, start_indices, shape):
    """Keras's `ops.slice`: the block of the given shape starting at `start_indices` (static numbers)."""
    return getitem(inputs, _slice_key(start_indices, shape))


@export
def slice_update(inputs, start_indices, updates):
    shape, block = _static_shape("slice_update", inputs), _static_shape("slice_update", updates)
    widths = [(int(start), size - int(start) - part) for start, size, part in zip(start_indices, shape, block)]
    if len(widths) != len(shape) or any(after < 0 or before < 0 for before, after in widths):
        raise ValueError(
            f"slice_update: updates of shape {block} at {tuple(start_indices)} do not fit an input of shape {shape}"
        )
    inside = numpy.zeros(shape, bool)
    inside[_slice_key(start_indices, block)] = True
    return ops.where(inside, pad(updates, widths), inputs)


def _triangle(name, x, keep):
    shape = _static_shape(name, x)
    if len(shape) < 2:
        raise ValueError(f"{name}: needs an input of rank 2 or more, got shape {shape}")
    return ops.where(keep(*shape[-2:]), x, ops.zeros_like(x))  # zeros of x's dtype: a bool input stays bool


@export
def tril(x, k=0):
    return _triangle("tril", x, lambda rows, columns: numpy.tri(rows, columns, k, dtype=bool))


@export
def triu(x, k=0):
    return _triangle("triu", x, lambda rows, columns: ~numpy.tri(rows, columns, k - 1, dtype=bool))
