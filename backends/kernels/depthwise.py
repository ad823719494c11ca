"""Depthwise convolution tap by tap, written once over `xp` (numpy or cupy): the forward and the gradients
of its input and its kernel.

Each channel has its own small kernel, so there is no matrix product to hand to BLAS; taking the windows
(im2col) would copy the input once per tap only to multiply each copy once. Here every tap multiplies a
strided view of the input by its filters and adds the product onto the output pixels that tap reaches;
the padding is never built (a tap near the border reaches fewer pixels). Layout: images channels-last
`(batch, *spatial, channels)`, kernels `(*kernel_size, channels, multiplier)`, results
`(batch, *output_spatial, channels * multiplier)` (channel-major, as Keras's depthwise convolution).
`pads` as in `patches`: one `(before, after)` pair per spatial axis.
"""

import itertools
import math

from .patches import output_size


def _taps(spatial, out, kernel_size, strides, dilation, pads):
    """(tap index, the input pixels it reads, the output pixels reading them) as slices per spatial axis,
    for the taps that read any input pixel (output `o` reads input `o * stride + tap * dilation - before`);
    a tap reaching every output pixel first."""
    taps = []
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        reads, writes = [], []
        for size, count, t, s, d, (before, _) in zip(spatial, out, tap, strides, dilation, pads):
            first = t * d - before  # the input pixel output 0 reads (negative: in the padding)
            low, high = max(0, -(first // s)), min(count, (size - 1 - first) // s + 1)
            reads.append(slice(low * s + first, (high - 1) * s + first + 1, s))
            writes.append(slice(low, high))
        if all(w.stop > w.start for w in writes):
            taps.append((tap, tuple(reads), tuple(writes)))
    return sorted(taps, key=lambda t: not _everywhere(t[2], out))


def _everywhere(writes, out):
    return all(w.start == 0 and w.stop == n for w, n in zip(writes, out))


def _at(pixels):
    return (slice(None), *pixels, slice(None))


def _rows(array, pixels):
    """`array[:, *pixels, :]` (unit-step slices; `array` contiguous) as a view with the last spatial axis and
    the channels as one axis, so numpy's inner loop runs over whole runs of a row rather than the channels."""
    depth, last = array.shape[-1], pixels[-1]
    merged = array.reshape(*array.shape[:-2], -1)
    return merged[(slice(None), *pixels[:-1], slice(last.start * depth, last.stop * depth))]


def _run(array):
    """An array's last two axes as one (a view where they are adjacent in memory)."""
    return array.reshape(*array.shape[:-2], -1)


def _times(xp, pixels, filters, unit_step, buffer):
    """Pixels (batch, *region, channels) times their channels' filters (channels, multiplier), as
    (batch, *region[:-1], region[-1] * channels * multiplier), written into the start of `buffer`."""
    if filters.shape[-1] > 1:
        return _run(_run(pixels[..., None] * filters))
    size = pixels.size
    if unit_step:  # the filters repeated along the row: one inner loop over the whole run
        pixels, filters = _run(pixels), xp.tile(filters[:, 0], pixels.shape[-2])
        return xp.multiply(pixels, filters, out=buffer[:size].reshape(pixels.shape))
    return _run(xp.multiply(pixels, filters[:, 0], out=buffer[:size].reshape(pixels.shape)))


def forward(xp, x, kernel, kernel_size, strides, dilation, pads):
    """Each channel's windows times its own `multiplier` filters, summed over the taps."""
    spatial, depth = x.shape[1:-1], kernel.shape[-2] * kernel.shape[-1]
    out = [output_size(n, k, s, d, pad) for n, k, s, d, pad in zip(spatial, kernel_size, strides, dilation, pads)]
    result = None
    shape = (x.shape[0], *out, depth)
    buffer = xp.empty(math.prod(shape), xp.result_type(x, kernel))
    for tap, reads, writes in _taps(spatial, out, kernel_size, strides, dilation, pads):
        product = _times(xp, x[_at(reads)], kernel[tap], strides[-1] == 1, buffer)
        if result is None and _everywhere(writes, out):
            result, buffer = product.reshape(shape), xp.empty_like(buffer)
            continue
        if result is None:
            result = xp.zeros((x.shape[0], *out, depth), xp.result_type(x, kernel))
        target = _rows(result, writes)
        target += product
    return result


def input_gradient(xp, g, kernel, spatial_shape, kernel_size, strides, dilation, pads):
    """The image gradient: each tap's output gradient times its filters, added onto the pixels the tap read."""
    channels, multiplier = kernel.shape[-2:]
    out = g.shape[1:-1]
    g = xp.ascontiguousarray(g)
    result = xp.zeros((g.shape[0], *spatial_shape, channels), xp.result_type(g, kernel))
    buffer = xp.empty(g.size // multiplier, result.dtype)
    for tap, reads, writes in _taps(spatial_shape, out, kernel_size, strides, dilation, pads):
        if multiplier == 1:
            region = _rows(g, writes)
            filters = xp.tile(kernel[tap][:, 0], writes[-1].stop - writes[-1].start)
            term = xp.multiply(region, filters, out=buffer[: region.size].reshape(region.shape))
        else:
            region = g[_at(writes)]
            term = _run(
                xp.einsum("...cm,cm->...c", region.reshape(*region.shape[:-1], channels, multiplier), kernel[tap])
            )
        if strides[-1] == 1:
            target = _rows(result, reads)
            target += term
        else:
            result[_at(reads)] += term.reshape(*term.shape[:-1], -1, channels)
    return result


def kernel_gradient(xp, x, g, kernel_size, strides, dilation, pads):
    """The kernel gradient: per tap, the sum over batch and output pixels of the pixels it read times `g`."""
    channels = x.shape[-1]
    multiplier = g.shape[-1] // channels
    g = g.reshape(*g.shape[:-1], channels, multiplier)
    pixels = "abcdefgh"[: g.ndim - 2]
    result = xp.zeros((*kernel_size, channels, multiplier), xp.result_type(x, g))
    for tap, reads, writes in _taps(x.shape[1:-1], g.shape[1:-2], kernel_size, strides, dilation, pads):
        image, gradient = x[_at(reads)], g[(slice(None), *writes)]
        if multiplier == 1:
            result[tap][:, 0] = xp.einsum(f"{pixels}z,{pixels}z->z", image, gradient[..., 0])
        else:
            result[tap] = xp.einsum(f"{pixels}y,{pixels}yz->yz", image, gradient)
    return result
