"""Pooling as Keras's `ops.max_pool`, `average_pool`, `adaptive_average_pool` and `adaptive_max_pool`.

Max pooling is `block_max`: a running maximum over the window's taps, each one strided view of the
input (no window copies, padding never materialised), for any pool size, strides and padding. Its
gradient pair `spread_block_max`/`select_block_max` gives each window's gradient to its first maximum,
as in TF and torch (ties included), and differentiates again. Average pooling reduces the input's
windows (the window primitives); "same" average pooling divides by the number of real (unpadded)
pixels in each window, like TensorFlow. Adaptive pools use torch's bins: output cell i covers input
[floor(i * size / out), ceil((i + 1) * size / out)); each spatial axis in turn is gathered into
(bins, widest bin) with `take` and reduced.
"""

import math

import numpy

from .. import config
from ..kernels import block_max, patches
from .registry import describe, dtype_of, export, ops, primitive, shape_of
from .windows import extract_patches, known_spatial, spatial_tuple, to_data_format, window_geometry


def _spatial_rank(op, shape):
    if len(shape) < 3:
        raise ValueError(
            f"{op}: expected an input of rank 3 or more (batch, spatial axes, channels), got shape {shape}"
        )
    return len(shape) - 2


def _pool_geometry(op, inputs, pool_size, strides, padding, data_format):
    data_format = config.standardize_data_format(data_format)
    shape = shape_of(inputs)
    pool_size = spatial_tuple(op, pool_size, _spatial_rank(op, shape), "pool_size")
    return window_geometry(op, shape, pool_size, pool_size if strides is None else strides, padding, data_format)


def _window_axes(rank):
    return tuple(range(rank + 1, 2 * rank + 1))


def _block_shapes(op, shape, pool_size, strides, pads, data_format):
    """The pooled shape of a block max over an input of `shape`; errors name the op and the shape."""
    rank = len(pool_size)
    if len(shape) != rank + 2:
        raise ValueError(
            f"{op}: expected a rank-{rank + 2} input (batch, {rank} spatial axes, channels) for "
            f"pool size {tuple(pool_size)}, got shape {tuple(shape)}"
        )
    pooled = block_max.pooled_shape(shape, pool_size, strides, pads, data_format)
    first = 2 if data_format == "channels_first" else 1
    if any(size is not None and size < 1 for size in pooled[first : first + rank]):
        raise ValueError(f"{op}: a window of size {tuple(pool_size)} does not fit in the input of shape {tuple(shape)}")
    return pooled


def _same_dims(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _block_max_infer(shapes, dtypes, **geometry):
    return _block_shapes("block_max", shapes[0], **geometry), dtypes[0]


def _block_pair_infer(op, pooled_input):
    """spread (x, grad, maxima) -> x's shape; select (x, values, maxima) -> the pooled shape."""

    def infer(shapes, dtypes, **geometry):
        x, values, maxima = shapes
        pooled = _block_shapes(op, x, **geometry)
        if not (_same_dims(values, pooled if pooled_input else x) and _same_dims(maxima, pooled)):
            raise ValueError(
                f"{op}: expected an input, {'a gradient' if pooled_input else 'values'} of shape "
                f"{pooled if pooled_input else tuple(x)} and maxima of shape {pooled} for pool size "
                f"{tuple(geometry['pool_size'])}, got shapes {describe(shapes)}"
            )
        return (tuple(x) if pooled_input else pooled), dtypes[1]

    return infer


_block_max = primitive(
    "block_max",
    lambda xp, x, **geometry: block_max.maximum(xp, x, **geometry),
    lambda g, inputs, out, needs, **geometry: (_spread_block_max(inputs[0], g, out, **geometry),),
    _block_max_infer,
    saves=(0, "output"),
)
_spread_block_max = primitive(
    "spread_block_max",
    lambda xp, x, grad, maxima, **geometry: block_max.spread(xp, x, grad, maxima, **geometry),
    lambda g, inputs, out, needs, **geometry: (None, _select_block_max(inputs[0], g, inputs[2], **geometry), None),
    _block_pair_infer("spread_block_max", True),
    saves=(0, 2),
)
_select_block_max = primitive(
    "select_block_max",
    lambda xp, x, values, maxima, **geometry: block_max.select(xp, x, values, maxima, **geometry),
    lambda g, inputs, out, needs, **geometry: (None, _spread_block_max(inputs[0], g, inputs[2], **geometry), None),
    _block_pair_infer("select_block_max", False),
    saves=(0, 2),
)


@export
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The maximum of each window; its gradient goes to the window's first maximum only (like TF and torch)."""
    geometry = _pool_geometry("max_pool", inputs, pool_size, strides, padding, data_format)
    return _block_max(
        inputs,
        pool_size=geometry["kernel_size"],
        strides=geometry["strides"],
        pads=geometry["pads"],
        data_format=geometry["data_format"],
    )


def _window_counts(spatial, geometry, dtype):
    """How many real (unpadded) pixels each output window covers, shaped (1, *out, 1)."""
    counts = numpy.ones((), dtype)
    for size, k, s, pad in zip(spatial, geometry["kernel_size"], geometry["strides"], geometry["pads"]):
        starts = numpy.arange(patches.output_size(size, k, s, 1, pad)) * s - pad[0]
        per_axis = numpy.minimum(starts + k, size) - numpy.maximum(starts, 0)
        counts = numpy.multiply.outer(counts, per_axis.astype(dtype))
    return counts[None, ..., None]


@export
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over each window; with padding="same" the padded pixels are left out of the mean."""
    geometry = _pool_geometry("average_pool", inputs, pool_size, strides, padding, data_format)
    rank = len(geometry["kernel_size"])
    windows = extract_patches(inputs, pad_value=0.0, **geometry)
    if any(before or after for before, after in geometry["pads"]):
        spatial = known_spatial("average_pool", shape_of(inputs), geometry["data_format"])
        counts = _window_counts(spatial, geometry, dtype_of(inputs))
        pooled = ops.divide(ops.sum(windows, axis=_window_axes(rank)), counts)
    else:
        pooled = ops.mean(windows, axis=_window_axes(rank))
    return to_data_format(pooled, rank, geometry["data_format"])


def _adaptive_geometry(op, inputs, output_size, data_format):
    data_format = config.standardize_data_format(data_format)
    shape = shape_of(inputs)
    output_size = spatial_tuple(op, output_size, _spatial_rank(op, shape), "output_size")
    spatial = known_spatial(op, shape, data_format)
    first = 2 if data_format == "channels_first" else 1
    return [(first + i, size, out) for i, (size, out) in enumerate(zip(spatial, output_size))]


def _bins(size, out):
    """Torch's bins of an axis as a gather: indices (out, widest bin) and which slots lie inside their
    bin (bins differ in width by at most one; the narrow ones repeat their last index)."""
    starts = numpy.arange(out) * size // out
    ends = -(-numpy.arange(1, out + 1) * size // out)
    slots = starts[:, None] + numpy.arange((ends - starts).max())
    inside = slots < ends[:, None]
    return numpy.minimum(slots, size - 1), inside


def _adaptive_pool(op, inputs, output_size, data_format, reduce):
    x, dtype, rank = inputs, dtype_of(inputs), len(shape_of(inputs))
    for axis, size, out in _adaptive_geometry(op, inputs, output_size, data_format):
        index, inside = _bins(size, out)
        inside = inside.reshape(inside.shape + (1,) * (rank - axis - 1))
        x = reduce(ops.take(x, index, axis=axis), inside, axis + 1, dtype)
    return x


def _bin_mean(gathered, inside, axis, dtype):
    return ops.sum(gathered * (inside / inside.sum(axis=1, keepdims=True)).astype(dtype), axis=axis)


def _bin_max(gathered, inside, axis, dtype):
    return ops.max(gathered + numpy.where(inside, 0, -math.inf).astype(dtype), axis=axis)


@export
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Mean over torch's adaptive bins, one spatial axis at a time."""
    return _adaptive_pool("adaptive_average_pool", inputs, output_size, data_format, _bin_mean)


@export
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Maximum over torch's adaptive bins, one spatial axis at a time."""
    return _adaptive_pool("adaptive_max_pool", inputs, output_size, data_format, _bin_max)
