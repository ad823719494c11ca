"""Sliding windows (im2col) and their adjoint (col2im), written once over `xp` (numpy or cupy).

Convolutions are one matrix product over the windows, pooling is one reduction over them.
Layout: arrays are channels-last `(batch, *spatial, channels)`; windows are
`(batch, *output_spatial, *kernel_size, channels)`. `pads` holds one `(before, after)` pair per
spatial axis; a negative `after` drops trailing input that no window reaches (transposed convs).
"""

import itertools
import math

import numpy

from . import row_blocks


def output_size(size, kernel, stride, dilation, pad):
    reach = (kernel - 1) * dilation + 1
    return (size + pad[0] + pad[1] - reach) // stride + 1


def transposed_pads(kernel_size, strides, dilation, pads):
    """For stride-1 windows: the pads of an output-sized array whose windows, taken with the kernel flipped,
    reach the input's pixels (the input's gradient as a convolution of the output's): a tap reaching
    `before` pixels left of the input reaches `reach - 1 - before` right of it when flipped. None for other
    strides, or where a pad would be negative (pads wider than the window)."""
    if set(strides) != {1}:
        return None
    flipped = []
    for k, d, (before, after) in zip(kernel_size, dilation, pads):
        reach = (k - 1) * d + 1
        if not (0 <= before < reach and 0 <= after < reach):
            return None
        flipped.append((reach - 1 - before, reach - 1 - after))
    return tuple(flipped)


def _view(xp, x, kernel_size, strides, dilation, pads, pad_value):
    """Every window of `x` (channels last) as a strided view (batch, *out, *kernel_size, channels) of `x`, or of
    a padded copy of it."""
    widths = [(0, 0)] + [(before, max(after, 0)) for before, after in pads] + [(0, 0)]
    if any(before or after for before, after in widths):
        x = xp.pad(x, widths, constant_values=pad_value)
    spatial = x.shape[1:-1]
    out = [
        output_size(size, k, s, d, (0, min(after, 0)))
        for size, k, s, d, (_, after) in zip(spatial, kernel_size, strides, dilation, pads)
    ]
    step = x.strides[1:-1]
    return xp.lib.stride_tricks.as_strided(
        x,
        shape=(x.shape[0], *out, *kernel_size, x.shape[-1]),
        strides=(
            x.strides[0],
            *(t * s for t, s in zip(step, strides)),
            *(t * d for t, d in zip(step, dilation)),
            x.strides[-1],
        ),
    )


def extract(xp, x, kernel_size, strides, dilation, pads, pad_value=0.0):
    """The windows of `x` (channels last) as one contiguous array: im2col."""
    return xp.ascontiguousarray(_view(xp, x, kernel_size, strides, dilation, pads, pad_value))


def product(xp, x, kernel, kernel_size, strides, dilation, pads, finish=None):
    """windows(x) @ kernel, (batch, *out, filters), for a channels-last `x` and a (taps * channels, filters)
    kernel; `finish(rows)`, when given, runs in place on blocks of the result's rows ((rows, filters),
    `row_blocks.in_blocks`) while they are in the cache.

    Windows that are the image itself (1x1, stride 1) are multiplied as they are. Otherwise, on the CPU, the
    windows are copied a chunk at a time (whole images, or runs of one image's first output axis, of about
    CHUNK values) into one buffer that stays in the cache, and each chunk is multiplied into its rows of the
    result: im2col in full writes, then reads back, an array `taps` times the image's size. Windows under
    CHUNK_MINIMUM values are one product: BLAS packs the kernel once per product, which a wide kernel over
    few rows makes dearer than the copies saved."""
    view = _view(xp, x, kernel_size, strides, dilation, pads, 0.0)
    rank, depth, filters = len(kernel_size), kernel.shape[0], kernel.shape[1]
    out = view.shape[1 : 1 + rank]
    result = xp.empty((view.shape[0], *out, filters), xp.result_type(x.dtype, kernel.dtype))
    rows = result.reshape(-1, filters)
    if xp is not numpy or view.size <= CHUNK_MINIMUM or view.flags.c_contiguous:
        _multiply(xp, xp.ascontiguousarray(view).reshape(-1, depth), kernel, rows, finish)
        return result
    line = math.prod(out[1:])  # result rows per step of the first output axis
    buffer = xp.empty(max(CHUNK, line * depth), view.dtype)  # the largest chunk
    for start, stop, first, last in _chunks(view.shape[0], out[0], line * depth):
        windows = view[start:stop, first:last]
        part = buffer[: windows.size].reshape(windows.shape)
        part[...] = windows
        begin = (start * out[0] + first) * line
        _multiply(xp, part.reshape(-1, depth), kernel, rows[begin : begin + windows.size // depth], finish)
    return result


CHUNK = 1 << 20  # window values per chunk (4 MiB of float32: measured faster than 1/4 and 1/16 of it)
CHUNK_MINIMUM = 1 << 22  # windows under this many values are one product (7x7x512 at batch 8: slower chunked)


def _chunks(batch, steps, size):
    """(first image, last image + 1, first, last step of the first output axis) of each chunk, for `batch`
    images of `steps` steps of `size` window values: whole images while one fits in CHUNK, else runs of steps
    of one image."""
    if steps * size <= CHUNK:
        images = CHUNK // (steps * size)
        for start in range(0, batch, images):
            yield start, min(start + images, batch), 0, steps
        return
    run = max(1, CHUNK // size)
    for image in range(batch):
        for first in range(0, steps, run):
            yield image, image + 1, first, min(first + run, steps)


def _multiply(xp, windows, kernel, rows, finish):
    xp.matmul(windows, kernel, out=rows)
    if finish is not None:
        row_blocks.in_blocks(xp, rows, finish)


def scatter(xp, windows, spatial_shape, kernel_size, strides, dilation, pads):
    """Sum every window back onto the position it was taken from: col2im, the adjoint of `extract`."""
    rank = len(kernel_size)
    out, depth = windows.shape[1 : 1 + rank], windows.shape[-1]
    result, rows = _scatter_target(xp, windows.shape[0], spatial_shape, pads, depth, windows.dtype, strides)
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        taken = windows[(slice(None),) * (1 + rank) + tap]
        _add_tap(result, rows, taken, tap, out, dilation, strides)
    return _crop(result, spatial_shape, pads)


def scatter_product(xp, x, weights, spatial_shape, kernel_size, strides, dilation, pads):
    """`scatter` of the windows `x @ weights` (x (batch, *out, depth_in) channels last, weights (depth_in, taps *
    depth)) without them: a product per few taps, (rows, taps * depth), each at least PRODUCT_COLUMNS wide (BLAS
    runs narrower products slowly), added onto the image tap by tap as it comes; with one tap per product, its
    values are contiguous. On the CPU a few images at a time (products of about PRODUCT_VALUES values), so the
    products and their part of the image stay in the cache: the windows in full are `taps` times the image's
    size, written once and read back. (64, 11, 11, 64) onto 13x13x32 by 3x3 taps, in a training step: the
    product and the scatter 5.7-6.3 → 4.3-4.4 ms."""
    rank = len(kernel_size)
    out, batch, taps = x.shape[1 : 1 + rank], x.shape[0], list(itertools.product(*(range(k) for k in kernel_size)))
    depth = weights.shape[1] // len(taps)
    result, rows = _scatter_target(xp, batch, spatial_shape, pads, depth, xp.result_type(x, weights), strides)
    group = max(1, min(len(taps), PRODUCT_COLUMNS // max(1, depth)))  # taps per product
    pixels = math.prod(out)
    images = batch if xp is not numpy else max(1, min(batch, PRODUCT_VALUES // max(1, pixels * group * depth)))
    buffer = xp.empty(images * pixels * group * depth, result.dtype)
    for start in range(0, batch, images):
        stop = min(start + images, batch)
        inputs = x[start:stop].reshape(-1, x.shape[-1])
        part = result[start:stop], None if rows is None else rows[start:stop]
        for first in range(0, len(taps), group):
            some = taps[first : first + group]
            product = buffer[: len(inputs) * len(some) * depth].reshape(len(inputs), -1)
            xp.matmul(inputs, weights[:, first * depth : (first + len(some)) * depth], out=product)
            windows = product.reshape(stop - start, *out, len(some), depth)
            for index, tap in enumerate(some):
                _add_tap(*part, windows[..., index, :], tap, out, dilation, strides)
    return _crop(result, spatial_shape, pads)


PRODUCT_COLUMNS = 32  # the narrowest product of a few taps
PRODUCT_VALUES = 1 << 17  # values of one product (512 KiB of float32: 4096 rows of one tap of 32 channels)


def _scatter_target(xp, batch, spatial_shape, pads, depth, dtype, strides):
    """The zeroed padded image windows are added onto, and, with a unit stride along the last axis, a view of
    it whose rows are (pixel, channel) runs: adding whole runs, numpy's inner loop goes over `out[-1] * depth`
    values rather than `depth`."""
    full = [size + before + max(after, 0) for size, (before, after) in zip(spatial_shape, pads)]
    result = xp.zeros((batch, *full, depth), dtype)
    return result, result.reshape(*result.shape[:-2], -1) if strides[-1] == 1 else None


def _add_tap(result, rows, taken, tap, out, dilation, strides):
    """Add one tap's values `taken` (batch, *out, depth) onto the image `result` (`rows`: `_scatter_target`'s)."""
    every, depth = slice(None), taken.shape[-1]
    target = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, strides, out))
    if rows is None:
        result[(every, *target, every)] += taken
    else:
        start = tap[-1] * dilation[-1] * depth
        run = slice(start, start + out[-1] * depth)
        rows[(every, *target[:-1], run)] += taken.reshape(*taken.shape[:-2], -1)


def _crop(result, spatial_shape, pads):
    crop = tuple(slice(before, before + size) for size, (before, _) in zip(spatial_shape, pads))
    return result[(slice(None), *crop, slice(None))]
