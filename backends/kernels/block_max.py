"""Max pooling over non-overlapping windows (strides == pool size, no padding), over `xp`, without im2col.

Each spatial axis of size n is split into (n // k, k) by a reshape (a view, no copy), after cropping
the trailing rows/columns no window reaches (as "valid" pooling drops them): the image becomes blocks
`(batch, n1 // k1, k1, n2 // k2, k2, ..., channels)` (channels first: after the batch axis). A tap
(one position in every window) is then a strided view shaped like the pooled output. The maximum is
an elementwise maximum over the taps; the gradient goes to each block's *first* maximum in row-major
window order (ties included, as in TensorFlow and torch), found by one short loop over the taps:
compare with the maximum, keep only hits not already found in an earlier tap.
"""

import itertools


def _first_spatial(data_format):
    return 2 if data_format == "channels_first" else 1


def pooled_shape(shape, pool_size, data_format):
    """The pooled shape of an input `shape` (None stays None)."""
    first = _first_spatial(data_format)
    spatial = tuple(None if n is None else n // k for n, k in zip(shape[first:], pool_size))
    return tuple(shape[:first]) + spatial + tuple(shape[first + len(pool_size) :])


def covers(shape, pool_size, data_format):
    """Whether the windows cover every pixel (no trailing rows/columns cropped)."""
    first = _first_spatial(data_format)
    return all(n % k == 0 for n, k in zip(shape[first:], pool_size))


def blocks(x, pool_size, data_format):
    """`x` cropped to whole windows and viewed as blocks (a view of `x`), and the block axes."""
    first, rank = _first_spatial(data_format), len(pool_size)
    crop, shape = [slice(None)] * x.ndim, list(x.shape[:first])
    for i, k in enumerate(pool_size):
        count = x.shape[first + i] // k
        crop[first + i] = slice(0, count * k)
        shape += [count, k]
    shape += x.shape[first + rank :]
    view = x[tuple(crop)].reshape(shape)  # splitting axes never copies, so writes reach `x`
    return view, tuple(first + 2 * i + 1 for i in range(rank))


def _tap(view, axes, tap):
    """One tap of every block: a strided view shaped like the pooled output."""
    index = [slice(None)] * view.ndim
    for axis, t in zip(axes, tap):
        index[axis] = t
    return view[tuple(index)]


def _taps(pool_size):
    return list(itertools.product(*(range(k) for k in pool_size)))


def _first_hits(xp, view, axes, maxima, pool_size):
    """(tap, mask) for each tap in row-major order: True where that tap is its block's first maximum.
    A mask is only valid until the next one is asked for (the first one becomes the running `found`)."""
    taps = _taps(pool_size)
    found = None
    for n, tap in enumerate(taps):
        hit = _tap(view, axes, tap) == maxima
        if found is None:
            found = hit
        else:
            xp.greater(hit, found, out=hit)  # a hit, and none in an earlier tap
            if n < len(taps) - 1:
                found |= hit
        yield tap, hit


def maximum(xp, x, pool_size, data_format):
    """The maximum of each window: (batch, *spatial // pool_size, channels) or channels first."""
    view, axes = blocks(x, pool_size, data_format)
    taps = [_tap(view, axes, tap) for tap in _taps(pool_size)]
    if len(taps) == 1:
        return taps[0].copy()
    result = xp.maximum(taps[0], taps[1])  # elementwise over strided views: faster than max over axes
    for tap in taps[2:]:
        xp.maximum(result, tap, out=result)
    return result


def spread(xp, x, grad, maxima, pool_size, data_format):
    """`grad` (pooled shape) placed at each window's first maximum of `x` (`maxima`: its pooled maximum),
    zeros elsewhere and on cropped pixels: shaped like `x`, typed like `grad`."""
    result = (xp.empty if covers(x.shape, pool_size, data_format) else xp.zeros)(x.shape, grad.dtype)
    view, axes = blocks(x, pool_size, data_format)
    target, _ = blocks(result, pool_size, data_format)
    for tap, hit in _first_hits(xp, view, axes, maxima, pool_size):
        xp.multiply(grad, hit, out=_tap(target, axes, tap))
    return result


def select(xp, x, values, maxima, pool_size, data_format):
    """`values` (shaped like `x`) at each window's first maximum of `x`: the pooled shape."""
    view, axes = blocks(x, pool_size, data_format)
    source, _ = blocks(values, pool_size, data_format)
    result = xp.zeros(maxima.shape, values.dtype)
    for tap, hit in _first_hits(xp, view, axes, maxima, pool_size):
        result = xp.where(hit, _tap(source, axes, tap), result)  # one hit per block at most: exact
    return result
