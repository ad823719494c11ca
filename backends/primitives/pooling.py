"""Pooling as Keras's `ops.max_pool`, `average_pool`, `adaptive_average_pool` and `adaptive_max_pool`.

Fixed-window pools reduce the input's windows (the window primitives); "same" average pooling divides
by the number of real (unpadded) pixels in each window, like TensorFlow. Adaptive pools use torch's
bins: output cell i covers input [floor(i * size / out), ceil((i + 1) * size / out)).
"""
import math

import numpy

from .. import config
from .convolution import to_data_format
from .registry import dtype_of, export, ops, shape_of
from ..kernels import patches
from .windows import (extract_patches, output_spatial, padding_mode, spatial_shape, spatial_tuple,
                      window_pads)


def _pool_geometry(op, inputs, pool_size, strides, padding, data_format):
    data_format = config.standardize_data_format(data_format)
    shape = shape_of(inputs)
    rank = len(shape) - 2
    if rank < 1:
        raise ValueError(f"{op}: expected an input of rank 3 or more (batch, spatial axes, channels), "
                         f"got shape {shape}")
    pool_size = spatial_tuple(op, pool_size, rank, "pool_size")
    strides = pool_size if strides is None else spatial_tuple(op, strides, rank, "strides")
    spatial = spatial_shape(shape, data_format)
    if None in spatial:
        raise ValueError(f"{op}: the spatial size of the input must be known, got input shape {shape}")
    pads = window_pads(padding_mode(op, padding), spatial, pool_size, strides, (1,) * rank)
    out = output_spatial(spatial, pool_size, strides, (1,) * rank, pads)
    if min(out) < 1:
        raise ValueError(f"{op}: pool_size {pool_size} does not fit in the input of shape {shape} "
                         f"with padding={padding!r}")
    return dict(kernel_size=pool_size, strides=strides, dilation=(1,) * rank, pads=pads,
                data_format=data_format), spatial


def _window_axes(rank):
    return tuple(range(rank + 1, 2 * rank + 1))


@export
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    geometry, _ = _pool_geometry("max_pool", inputs, pool_size, strides, padding, data_format)
    rank = len(geometry["kernel_size"])
    windows = extract_patches(inputs, pad_value=-math.inf, **geometry)
    return to_data_format(ops.max(windows, axis=_window_axes(rank)), rank, geometry["data_format"])


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
    geometry, spatial = _pool_geometry("average_pool", inputs, pool_size, strides, padding, data_format)
    rank = len(geometry["kernel_size"])
    windows = extract_patches(inputs, pad_value=0.0, **geometry)
    if any(before or after for before, after in geometry["pads"]):
        pooled = ops.divide(ops.sum(windows, axis=_window_axes(rank)),
                            _window_counts(spatial, geometry, dtype_of(inputs)))
    else:
        pooled = ops.mean(windows, axis=_window_axes(rank))
    return to_data_format(pooled, rank, geometry["data_format"])


def _adaptive_geometry(op, inputs, output_size, data_format):
    data_format = config.standardize_data_format(data_format)
    shape = shape_of(inputs)
    rank = len(shape) - 2
    if rank < 1:
        raise ValueError(f"{op}: expected an input of rank 3 or more (batch, spatial axes, channels), "
                         f"got shape {shape}")
    output_size = spatial_tuple(op, output_size, rank, "output_size")
    spatial = spatial_shape(shape, data_format)
    if None in spatial:
        raise ValueError(f"{op}: the spatial size of the input must be known, got input shape {shape}")
    first = 2 if data_format == "channels_first" else 1
    return [(first + i, size, out) for i, (size, out) in enumerate(zip(spatial, output_size))]


def _bin_matrix(size, out, dtype):
    """(size, out): column i averages torch's bin i of an axis of `size` pixels."""
    starts = numpy.arange(out) * size // out
    ends = -(-numpy.arange(1, out + 1) * size // out)
    position = numpy.arange(size)[:, None]
    inside = (position >= starts) & (position < ends)
    return (inside / (ends - starts)).astype(dtype)


@export
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average over torch's adaptive bins: one matrix product per spatial axis."""
    x = inputs
    for axis, size, out in _adaptive_geometry("adaptive_average_pool", inputs, output_size, data_format):
        order = list(range(len(shape_of(x))))
        order[axis], order[-1] = order[-1], order[axis]
        x = ops.transpose(ops.matmul(ops.transpose(x, order), _bin_matrix(size, out, dtype_of(inputs))), order)
    return x
