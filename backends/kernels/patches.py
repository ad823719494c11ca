"""Sliding windows (im2col) and their adjoint (col2im), written once over `xp` (numpy or cupy).

Convolutions are one matrix product over the windows, pooling is one reduction over them.
Layout: arrays are channels-last `(batch, *spatial, channels)`; windows are
`(batch, *output_spatial, *kernel_size, channels)`. `pads` holds one `(before, after)` pair per
spatial axis; a negative `after` drops trailing input that no window reaches (transposed convs).
"""

import itertools


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


def extract(xp, x, kernel_size, strides, dilation, pads, pad_value=0.0):
    """The windows of `x` (channels last) as one contiguous array: im2col."""
    widths = [(0, 0)] + [(before, max(after, 0)) for before, after in pads] + [(0, 0)]
    if any(before or after for before, after in widths):
        x = xp.pad(x, widths, constant_values=pad_value)
    spatial = x.shape[1:-1]
    out = [
        output_size(size, k, s, d, (0, min(after, 0)))
        for size, k, s, d, (_, after) in zip(spatial, kernel_size, strides, dilation, pads)
    ]
    step = x.strides[1:-1]
    view = xp.lib.stride_tricks.as_strided(
        x,
        shape=(x.shape[0], *out, *kernel_size, x.shape[-1]),
        strides=(
            x.strides[0],
            *(t * s for t, s in zip(step, strides)),
            *(t * d for t, d in zip(step, dilation)),
            x.strides[-1],
        ),
    )
    return xp.ascontiguousarray(view)


def scatter(xp, windows, spatial_shape, kernel_size, strides, dilation, pads):
    """Sum every window back onto the position it was taken from: col2im, the adjoint of `extract`."""
    rank = len(kernel_size)
    out, depth = windows.shape[1 : 1 + rank], windows.shape[-1]
    full = [size + before + max(after, 0) for size, (before, after) in zip(spatial_shape, pads)]
    result = xp.zeros((windows.shape[0], *full, depth), windows.dtype)
    # With a unit stride along the last axis, a tap adds onto one run of (pixel, channel) values per row:
    # adding whole runs, numpy's inner loop goes over `out[-1] * depth` values rather than `depth`.
    rows = result.reshape(*result.shape[:-2], -1) if strides[-1] == 1 else None
    every = slice(None)
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        target = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, strides, out))
        taken = windows[(every,) * (1 + rank) + tap]
        if rows is None:
            result[(every, *target, every)] += taken
        else:
            start = tap[-1] * dilation[-1] * depth
            run = slice(start, start + out[-1] * depth)
            rows[(every, *target[:-1], run)] += taken.reshape(*taken.shape[:-2], -1)
    crop = tuple(slice(before, before + size) for size, (before, _) in zip(spatial_shape, pads))
    return result[(every, *crop, every)]
