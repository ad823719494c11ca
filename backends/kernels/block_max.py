"""Max pooling over `xp` without im2col: every window ("block") position read as one strided view.

For pool size k, stride s and padding (before, after) on a spatial axis of n pixels, the tap at offset t
of each window reads the input pixels o * s + t - before for the outputs o whose pixel exists: a strided
view of the input against a slice of the output. Padding is never materialised (a padded pixel counts as
-inf, so it is never a maximum). Windows may overlap (3x3 stride 2, ResNet's stem) or tile the input
(stride == pool size, Keras's default; trailing pixels no window reaches are left out, as "valid" does).
The maximum is an elementwise maximum over the taps; the gradient goes to each window's *first* maximum
in row-major window order (ties included, as in TensorFlow and torch), found by one short loop over the
taps: compare with the maximum, keep only hits not already found in an earlier tap.

Windows that tile a contiguous channels-last input (stride == pool size, no padding) spread their gradient on the
CPU a few images at a time, tap-major: the images' taps copied into one contiguous (*pool_size, images, *pooled)
buffer (each pixel's channels copied as one item), the comparisons and products run over its contiguous taps
while they are in the cache (rather than over strided views, runs of `channels` values, of arrays that are
not), each tap's gradient written over its values, and the buffer copied back into the result's windows.
The small CNN's two pools (64, 26, 26, 32) and (64, 11, 11, 64), in a training step: 3.2-4.0 → 2.4-2.9 ms.
The maximum gains nothing that way.
"""

import itertools
import math

import numpy


def _first_spatial(data_format):
    return 2 if data_format == "channels_first" else 1


def _pooled_size(n, k, s, pads):
    return None if n is None else (n + pads[0] + pads[1] - k) // s + 1


def pooled_shape(shape, pool_size, strides, pads, data_format):
    """The pooled shape of an input `shape` (None stays None)."""
    first = _first_spatial(data_format)
    rank = len(pool_size)
    spatial = tuple(map(_pooled_size, shape[first : first + rank], pool_size, strides, pads))
    return tuple(shape[:first]) + spatial + tuple(shape[first + rank :])


def _axis_taps(n, k, s, pads, out):
    """(input slice, output slice) for each tap offset along one axis; None where it reads no pixel."""
    taps = []
    for t in range(k):
        low = max(0, -((t - pads[0]) // s))  # the first output whose pixel o * s + t - before is >= 0
        high = min(out, (n - 1 - t + pads[0]) // s + 1)  # one past the last whose pixel is < n
        start = low * s + t - pads[0]
        taps.append((slice(start, start + (high - low - 1) * s + 1, s), slice(low, high)) if high > low else None)
    return taps


def _taps(shape, pool_size, strides, pads, data_format):
    """(offsets, input index, output index, whole) for each tap in row-major window order that reads any
    pixel; `whole`: the tap reaches every output."""
    first, rank = _first_spatial(data_format), len(pool_size)
    pooled = pooled_shape(shape, pool_size, strides, pads, data_format)
    axes = [
        _axis_taps(n, k, s, pad, out)
        for n, k, s, pad, out in zip(shape[first:], pool_size, strides, pads, pooled[first : first + rank])
    ]
    lead, tail = (slice(None),) * first, (slice(None),) * (len(shape) - first - rank)
    for offsets, tap in zip(itertools.product(*map(range, pool_size)), itertools.product(*axes)):
        if None not in tap:
            whole = all(o.stop - o.start == size for (_, o), size in zip(tap, pooled[first : first + rank]))
            yield offsets, lead + tuple(i for i, _ in tap) + tail, lead + tuple(o for _, o in tap) + tail, whole


def maximum(xp, x, pool_size, strides, pads, data_format):
    """The maximum of each window: the pooled shape."""
    taps = list(_taps(x.shape, pool_size, strides, pads, data_format))
    shape = pooled_shape(x.shape, pool_size, strides, pads, data_format)
    start = next((n for n, (*_, whole) in enumerate(taps) if whole), None)
    if start is None:  # no tap reaches every output (heavy padding): start from the lowest value
        lowest = -math.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        result = xp.full(shape, lowest, x.dtype)
    else:
        result = x[taps.pop(start)[1]].copy()
    for _, source, target, _ in taps:  # elementwise over strided views: faster than max over a window axis
        part = result[target]
        xp.maximum(part, x[source], out=part)
    return result


def _first_hits(xp, x, maxima, taps):
    """(offsets, input index, output index, mask) for each tap in row-major order: the mask (of the tap's
    outputs) is True where that tap is its window's first maximum; valid until the next one is asked for."""
    found = xp.zeros(maxima.shape, bool)
    hits = xp.empty(maxima.shape, bool)
    for n, (offsets, source, target, _) in enumerate(taps):
        hit, seen = hits[target], found[target]
        xp.equal(x[source], maxima[target], out=hit)
        xp.greater(hit, seen, out=hit)  # a hit, and none in an earlier tap
        if n < len(taps) - 1:
            seen |= hit
        yield offsets, source, target, hit


def spread(xp, x, grad, maxima, pool_size, strides, pads, data_format):
    """`grad` (pooled shape) placed at each window's first maximum of `x` (`maxima`: its pooled maximum),
    zeros elsewhere: shaped like `x`, typed like `grad`. Overlapping windows add up where they share a pixel."""
    if (
        xp is numpy
        and data_format == "channels_last"
        and x.flags.c_contiguous
        and x.size
        and x.dtype == grad.dtype
        and tuple(strides) == tuple(pool_size)
        and not any(map(any, pads))
    ):
        return _spread_tiles(xp, x, grad, maxima, pool_size)
    taps = list(_taps(x.shape, pool_size, strides, pads, data_format))
    result = xp.zeros(x.shape, grad.dtype)
    products = None
    written = set()  # taps whose offsets agree modulo the strides read the same pixels; others never do
    for offsets, source, target, hit in _first_hits(xp, x, maxima, taps):
        residue = tuple(t % s for t, s in zip(offsets, strides))
        if residue not in written:  # the first tap on these pixels: write, nothing to add to
            written.add(residue)
            xp.multiply(grad[target], hit, out=result[source])
            continue
        products = xp.empty(grad.shape, grad.dtype) if products is None else products
        product = products[target]
        xp.multiply(grad[target], hit, out=product)
        result[source] += product
    return result


CHUNK = 1 << 18  # input values spread at a time (1 MiB of float32, 12 images of 26x26x32: faster than 4, 8 or 16)


def _spread_tiles(xp, x, grad, maxima, pool_size):
    """`spread` for windows that tile `x` (contiguous, channels last), on the CPU: CHUNK values of whole images at a
    time, tap-major, a pixel's channels one (void) item in the copies."""
    rank = len(pool_size)
    windows = maxima.shape[1 : 1 + rank]
    covered = tuple(o * k for o, k in zip(windows, pool_size))
    pixel = numpy.dtype((numpy.void, x.shape[-1] * x.itemsize))
    split = (len(x), *sum(zip(windows, pool_size), ()))
    order = [*range(2, 2 + 2 * rank, 2), 0, *range(1, 1 + 2 * rank, 2)]  # window offsets first

    def pixels(array):  # (batch, *spatial) items
        return array.view(pixel)[..., 0]

    def tap_major(array):  # an array shaped like `x`, contiguous, as a (*pool_size, batch, *windows) view
        return pixels(array)[(slice(None), *map(slice, covered))].reshape(split).transpose(order)

    result = (xp.empty if covered == x.shape[1 : 1 + rank] else xp.zeros)(x.shape, grad.dtype)
    source, target = tap_major(x), tap_major(result)
    images = max(1, min(len(x), CHUNK // x[0].size))
    buffer = xp.empty((*pool_size, images, *maxima.shape[1:]), x.dtype)
    every = (slice(None),) * rank
    taps = [(tap, tap, (slice(None),) * maxima.ndim, True) for tap in itertools.product(*map(range, pool_size))]
    for start in range(0, len(x), images):
        chunk = slice(start, min(start + images, len(x)))
        part = buffer[every + (slice(0, chunk.stop - start),)]
        pixels(part)[...] = source[every + (chunk,)]
        for tap, _, _, hit in _first_hits(xp, part, maxima[chunk], taps):
            xp.multiply(grad[chunk], hit, out=part[tap])  # over the tap's values, compared already
        target[every + (chunk,)] = pixels(part)
    return result


def select(xp, x, values, maxima, pool_size, strides, pads, data_format):
    """`values` (shaped like `x`) at each window's first maximum of `x`: the pooled shape."""
    taps = list(_taps(x.shape, pool_size, strides, pads, data_format))
    result = xp.zeros(maxima.shape, values.dtype)
    for _, source, target, hit in _first_hits(xp, x, maxima, taps):
        part = result[target]
        part[...] = xp.where(hit, values[source], part)  # one hit per window at most: exact
    return result
