"""Depthwise convolution tap by tap, written once over `xp` (numpy or cupy): the forward and the gradients
of its input and its kernel.

Each channel has its own small kernel, so there is no matrix product to hand to BLAS; taking the windows
(im2col) would copy the input once per tap only to multiply each copy once. Here every tap multiplies a
view of the input by its filters and adds the product onto the output pixels that tap reaches;
the padding is never built (a tap near the border reaches fewer pixels). Layout: images channels-last
`(batch, *spatial, channels)`, kernels `(*kernel_size, channels, multiplier)`, results
`(batch, *output_spatial, channels * multiplier)` (channel-major, as Keras's depthwise convolution).
`pads` as in `patches`: one `(before, after)` pair per spatial axis.

On the CPU each kernel runs a few images at a time (`_images`), so that their pixels and results stay in the
cache over the taps instead of every tap streaming the whole batch through memory. With a stride, each kernel
works on the image's phases (its pixels at each position modulo the stride, `_phases`), each a contiguous copy:
a tap reads (or adds onto) one phase in runs of whole rows, where on the strided image numpy's inner loop runs
over one pixel's channels, two to three times slower for 64 of them. A multiplier runs as that many
convolutions of one filter per channel, each over whole rows, where one product of every pixel's channels by
its filters has an inner loop over the multiplier. One thread, old against new (ms): (32, 56, 56, 64) by 3x3,
stride 1, forward 31.0 → 18.0, input gradient 35.6 → 19.0, kernel gradient 14.7 → 10.8; stride 2 17.8 → 10.2,
19.7 → 9.9, 11.4 → 6.4; (32, 28, 28, 64) by 3x3 with a multiplier of 2: 119.0 → 18.3, 91.7 → 18.1, 47.2 → 5.6.
The forward's values come out as before; the gradients' sums are taken in another order (by chunk, by filter,
by row).
"""

import itertools

import numpy

from .patches import output_size

CHUNK = 1 << 20  # the values of a few images' pixels, or their results if more (4 MiB of float32)


def _taps(spatial, out, kernel_size, strides, dilation, pads):
    """(tap index, the phase of the image it reads, the pixels it reads in that phase, the output pixels reading
    them) for the taps that read any input pixel (output `o` reads input `o * stride + tap * dilation - before`,
    phase pixel `(o * stride + tap * dilation - before) // stride` of phase `... % stride`), the pixels as
    unit-step slices per spatial axis; a tap reaching every output pixel first."""
    taps = []
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        phase, reads, writes = [], [], []
        for size, count, t, s, d, (before, _) in zip(spatial, out, tap, strides, dilation, pads):
            first = t * d - before  # the input pixel output 0 reads (negative: in the padding)
            low, high = max(0, -(first // s)), min(count, (size - 1 - first) // s + 1)
            start = low * s + first
            phase.append(start % s)
            reads.append(slice(start // s, start // s + high - low))
            writes.append(slice(low, high))
        if all(w.stop > w.start for w in writes):
            taps.append((tap, tuple(phase), tuple(reads), tuple(writes)))
    return sorted(taps, key=lambda t: not _everywhere(t[3], out))


def _everywhere(pixels, shape):
    return all(p.start == 0 and p.stop == n for p, n in zip(pixels, shape))


def _at(pixels):
    return (slice(None), *pixels, slice(None))


def _phase(array, phase, strides):
    """The pixels of `array` (batch, *spatial, channels) at `phase` modulo `strides`: a view."""
    return array[_at(tuple(slice(r, None, s) for r, s in zip(phase, strides)))]


def _phases(xp, pixels, strides, taps, store):
    """{phase: its pixels} for the phases the taps read: with unit strides (`store` None) the one phase, `pixels`
    itself; else each phase copied into `store`, contiguous."""
    found, offset = {}, 0
    for phase in sorted({phase for _, phase, _, _ in taps}):
        view = _phase(pixels, phase, strides)
        if store is None:
            found[phase] = view
            continue
        found[phase] = copy = store[offset : offset + view.size].reshape(view.shape)
        copy[...] = view
        offset += view.size
    return found


def _rows(array, pixels):
    """`array[:, *pixels, :]` (unit-step slices; `array` contiguous) as a view with the last spatial axis and
    the channels as one axis, so numpy's inner loop runs over whole runs of a row rather than the channels."""
    depth, last = array.shape[-1], pixels[-1]
    merged = array.reshape(*array.shape[:-2], -1)
    return merged[(slice(None), *pixels[:-1], slice(last.start * depth, last.stop * depth))]


def _run(array):
    """An array's last two axes as one (a view where they are adjacent in memory)."""
    return array.reshape(*array.shape[:-2], -1)


def _images(xp, batch, values):
    """Slices of the batch of a few images each, whose pixels or results (`values` an image, the larger) come to
    about CHUNK values; on cupy the whole batch at once."""
    images = batch if xp is not numpy else max(1, CHUNK // max(1, values))
    return [slice(start, min(start + images, batch)) for start in range(0, batch, images)]


def _times(xp, pixels, filters, buffer):
    """Pixels (batch, *region, channels; unit steps) times their channels' filters (channels,), as (batch,
    *region[:-1], region[-1] * channels), written into the start of `buffer`: the filters repeated along the row,
    so that numpy's inner loop runs over the whole run."""
    pixels, filters = _run(pixels), xp.tile(filters, pixels.shape[-2])
    return xp.multiply(pixels, filters, out=buffer[: pixels.size].reshape(pixels.shape))


def _store(xp, array, strides):
    """Room for one chunk's phases of `array` (a chunk of images), or None with unit strides (no copies)."""
    return None if all(s == 1 for s in strides) else xp.empty(array.size, array.dtype)


def forward(xp, x, kernel, kernel_size, strides, dilation, pads):
    """Each channel's windows times its own `multiplier` filters, summed over the taps; with a multiplier, each
    channel's m-th filter in turn, written into every multiplier-th channel of the result."""
    if kernel.shape[-1] == 1:
        return _forward(xp, x, kernel[..., 0], kernel_size, strides, dilation, pads)
    filters = [_forward(xp, x, kernel[..., m], kernel_size, strides, dilation, pads) for m in range(kernel.shape[-1])]
    return _run(xp.stack(filters, axis=-1))


def _forward(xp, x, kernel, kernel_size, strides, dilation, pads):
    """The forward with one filter per channel (`kernel` (*kernel_size, channels)): a tap that reaches every
    output pixel (the first, when one does) writes its product straight into the result."""
    spatial, x = x.shape[1:-1], xp.ascontiguousarray(x)  # a channels-first image, copied once rather than per tap
    out = [output_size(n, k, s, d, pad) for n, k, s, d, pad in zip(spatial, kernel_size, strides, dilation, pads)]
    result = xp.empty((x.shape[0], *out, kernel.shape[-1]), xp.result_type(x, kernel))
    taps = _taps(spatial, out, kernel_size, strides, dilation, pads)
    chunks = _images(xp, x.shape[0], max(x[0].size, result[0].size))
    buffer, store = xp.empty(result[chunks[0]].size, result.dtype), _store(xp, x[chunks[0]], strides)
    for images in chunks:
        part, phases = result[images], _phases(xp, x[images], strides, taps, store)
        for index, (tap, phase, reads, writes) in enumerate(taps):
            pixels = phases[phase][_at(reads)]
            if index == 0 and _everywhere(writes, out):
                _times(xp, pixels, kernel[tap], part.reshape(-1))
                continue
            if index == 0:
                part[...] = 0
            target = _rows(part, writes)
            target += _times(xp, pixels, kernel[tap], buffer)
    return result


def input_gradient(xp, g, kernel, spatial_shape, kernel_size, strides, dilation, pads):
    """The image gradient: each tap's output gradient times its filters, added onto the pixels the tap read; with
    a multiplier, summed over the channels' m-th filters and their gradients (every multiplier-th channel)."""
    channels, multiplier = kernel.shape[-2:]
    g = g.reshape(*g.shape[:-1], channels, multiplier)
    result = _input_gradient(xp, g[..., 0], kernel[..., 0], spatial_shape, kernel_size, strides, dilation, pads)
    for m in range(1, multiplier):
        result += _input_gradient(xp, g[..., m], kernel[..., m], spatial_shape, kernel_size, strides, dilation, pads)
    return result


def _input_gradient(xp, g, kernel, spatial_shape, kernel_size, strides, dilation, pads):
    """The image gradient for one filter per channel, one phase of the image at a time (with a stride, summed in
    `store` and copied into the image's phase)."""
    out = g.shape[1:-1]
    g = xp.ascontiguousarray(g)
    result = xp.empty((g.shape[0], *spatial_shape, kernel.shape[-1]), xp.result_type(g, kernel))
    taps = _taps(spatial_shape, out, kernel_size, strides, dilation, pads)
    chunks = _images(xp, g.shape[0], max(g[0].size, result[0].size))
    buffer, store = xp.empty(g[chunks[0]].size, result.dtype), _store(xp, result[chunks[0]], strides)
    by_phase = {phase: [t for t in taps if t[1] == phase] for phase in itertools.product(*map(range, strides))}
    for images in chunks:
        part, gradient = result[images], g[images]
        for phase, phase_taps in by_phase.items():
            pixels = _phase(part, phase, strides)
            target = pixels if store is None else store[: pixels.size].reshape(pixels.shape)
            _sum_onto(xp, target, gradient, kernel, phase_taps, buffer)
            if target is not pixels:
                pixels[...] = target
    return result


def _sum_onto(xp, target, gradient, kernel, taps, buffer):
    """`target` (a contiguous phase of the image) set to the sum of each tap's output gradient times its filters
    at the pixels it read: the first tap written, when it reads every pixel, else added onto zeros."""
    for index, (tap, _, reads, writes) in enumerate(taps):
        term = _times(xp, gradient[_at(writes)], kernel[tap], buffer)
        rows = _rows(target, reads)
        if index == 0 and _everywhere(reads, target.shape[1:-1]):
            rows[...] = term
            continue
        if index == 0:
            target[...] = 0
        rows += term
    if not taps:
        target[...] = 0


def kernel_gradient(xp, x, g, kernel_size, strides, dilation, pads):
    """The kernel gradient: per tap and filter, the sum over batch and output pixels of the pixels it read times
    that filter's output gradient (every multiplier-th channel of `g`)."""
    channels = x.shape[-1]
    g = g.reshape(*g.shape[:-1], channels, g.shape[-1] // channels)
    filters = [_kernel_gradient(xp, x, g[..., m], kernel_size, strides, dilation, pads) for m in range(g.shape[-1])]
    return xp.stack(filters, axis=-1)


def _kernel_gradient(xp, x, g, kernel_size, strides, dilation, pads):
    """The kernel gradient for one filter per channel: per tap, the pixels it read times `g`, summed over the
    batch and the rows for each position of a row's run (one inner loop over the whole run), then over the run's
    pixels; with a stride, on the image's phases."""
    channels, x, g = x.shape[-1], xp.ascontiguousarray(x), xp.ascontiguousarray(g)
    result = xp.zeros((*kernel_size, channels), xp.result_type(x, g))
    taps = _taps(x.shape[1:-1], g.shape[1:-1], kernel_size, strides, dilation, pads)
    chunks = _images(xp, x.shape[0], max(x[0].size, g[0].size))
    store = _store(xp, x[chunks[0]], strides)
    rows = "abcdefgh"[: g.ndim - 2]  # the batch and every spatial axis but the last
    for images in chunks:
        phases, gradients = _phases(xp, x[images], strides, taps, store), g[images]
        for tap, phase, reads, writes in taps:
            image, gradient = _rows(phases[phase], reads), _rows(gradients, writes)
            result[tap] += xp.einsum(f"{rows}r,{rows}r->r", image, gradient).reshape(-1, channels).sum(0)
    return result
