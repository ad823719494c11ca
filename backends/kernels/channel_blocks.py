"""Batch normalization's passes over `xp`: per-channel statistics, scale-and-shift, and the gradient's sums
and combination, each in one pass over the activation.

An array is viewed as (rows, channels, after) around its channel axis (a reshape, no copy) and, on the
CPU, walked in blocks of about `BLOCK` elements, so that a pass's temporaries (the centred block, a product)
stay in the cache instead of filling whole-size arrays: numpy then reads each input once per pass, as a
fused kernel would. On a GPU the whole array is one block (there a pass is one kernel over everything).
With the channels last (`after` is 1), `repeat` consecutive rows are folded into one and the per-channel
vectors tiled as often, so that a broadcast runs over long inner loops rather than one per pixel; sums
over the folded rows are added up per channel at the end.
"""

import numpy

BLOCK = 1 << 18  # elements: 1 MiB of float32 per block and per temporary, about a core's L2 cache (measured best)
WIDTH = 2048  # elements of a folded row at most
RUN = 1024  # contiguous elements per channel in a block at least (many channels make a block larger than BLOCK)


class _Layout:
    """`x` viewed as (rows, repeat * channels, after)."""

    def __init__(self, x, axis):
        shape = x.shape
        before, self.channels, after = int(numpy.prod(shape[:axis])), shape[axis], int(numpy.prod(shape[axis + 1 :]))
        self.repeat = 1
        if after == 1:
            self.repeat = next(k for k in range(max(1, WIDTH // self.channels), 0, -1) if before % k == 0)
        self.shape = (before // self.repeat, self.channels * self.repeat, after)

    def view(self, array):
        return array.reshape(self.shape)

    def vector(self, xp, vector):
        """A per-channel vector (or one value) to broadcast against the view: (repeat * channels, 1)."""
        return xp.tile(xp.broadcast_to(vector, (self.channels,)), self.repeat).reshape(-1, 1)

    def per_channel(self, sums):
        """Sums over the view's rows (last axis: repeat * channels) added up per channel."""
        return sums.reshape(sums.shape[:-1] + (self.repeat, self.channels)).sum(axis=-2)

    def blocks(self, xp):
        """Index triples cutting the view into blocks: whole rows when a row fits in BLOCK, else pieces of
        one row's `after` axis (of RUN elements at least); a single block on a GPU."""
        rows, width, after = self.shape
        if xp is not numpy or rows * width * after <= BLOCK:
            yield slice(None), slice(None), slice(None)
            return
        if width * after <= BLOCK:
            step = BLOCK // (width * after)
            for start in range(0, rows, step):
                yield slice(start, start + step), slice(None), slice(None)
            return
        step = max(RUN, BLOCK // width)
        for row in range(rows):
            for start in range(0, after, step):
                yield slice(row, row + 1), slice(None), slice(start, start + step)

    def scratch(self, xp, dtype):
        """A temporary the size of the largest block (the first one), and a function giving its part of the
        size of a block."""
        first = next(self.blocks(xp))
        buffer = xp.empty(tuple(len(range(*part.indices(size))) for part, size in zip(first, self.shape)), dtype)
        return lambda block: buffer[: block.shape[0], :, : block.shape[2]]


def _accumulator(dtype):
    """Half precision sums in float32."""
    return numpy.promote_types(dtype, numpy.float32)


def statistics(xp, x, axis):
    """(mean, variance) over every axis but `axis`, stacked: the mean first, then the mean squared deviation
    from it. One pass: each block's own mean and squared deviations from it, combined as Chan et al. do
    (never subtracting nearly equal sums of squares)."""
    layout = _Layout(x, axis)
    view = layout.view(x)
    dtype = _accumulator(x.dtype)
    centred = layout.scratch(xp, dtype)
    parts = []
    for index in layout.blocks(xp):
        block = view[index]
        part = centred(block)
        mean = block.mean(axis=(0, 2), dtype=dtype)
        xp.subtract(block, mean.reshape(-1, 1), out=part)
        parts.append((block.shape[0] * block.shape[2], mean, xp.einsum("pcq,pcq->c", part, part)))
    mean, squares, count = _combine_parts(parts)
    # the folded rows' columns: `repeat` groups of the same count per channel
    means = mean.reshape(layout.repeat, layout.channels)
    mean = means.mean(axis=0)
    squares = squares.reshape(layout.repeat, layout.channels).sum(axis=0) + count * ((means - mean) ** 2).sum(axis=0)
    return xp.stack([mean, squares / (count * layout.repeat)]).astype(x.dtype, copy=False)


def _combine_parts(parts):
    """(count, mean, sum of squared deviations) of blocks -> the same of their union (per column)."""
    count = sum(n for n, _, _ in parts)
    mean = sum(m * (n / count) for n, m, _ in parts)
    squares = sum(s + n * (m - mean) ** 2 for n, m, s in parts)
    return mean, squares, count


def scale_and_shift(xp, x, scale, shift, axis, dtype):
    """x * scale + shift, both per channel, as `dtype`."""
    layout = _Layout(x, axis)
    result = xp.empty(x.shape, dtype)
    view, target = layout.view(x), layout.view(result)
    scale, shift = layout.vector(xp, scale), layout.vector(xp, shift)
    for index in layout.blocks(xp):
        block = target[index]
        xp.multiply(view[index], scale, out=block)
        block += shift
    return result


def centred_sums(xp, g, x, mean, axis):
    """sum(g) and sum(g * (x - mean)) over every axis but `axis`, stacked."""
    layout = _Layout(x, axis)
    grads, view = layout.view(g), layout.view(x)
    dtype = numpy.result_type(g.dtype, x.dtype)
    sums = xp.zeros((2, layout.shape[1]), _accumulator(dtype))
    centred = layout.scratch(xp, sums.dtype)
    column = layout.vector(xp, mean)
    for index in layout.blocks(xp):
        block, grad = view[index], grads[index]
        part = centred(block)
        xp.subtract(block, column, out=part)
        sums[0] += grad.sum(axis=(0, 2), dtype=sums.dtype)
        sums[1] += xp.einsum("pcq,pcq->c", grad, part)
    return layout.per_channel(sums).astype(dtype, copy=False)


def combine(xp, g, x, alpha, beta, gamma, axis, dtype):
    """g * alpha + x * beta + gamma, each vector per channel, as `dtype`."""
    layout = _Layout(x, axis)
    result = xp.empty(x.shape, dtype)
    grads, view, target = layout.view(g), layout.view(x), layout.view(result)
    alpha, beta, gamma = (layout.vector(xp, v) for v in (alpha, beta, gamma))
    product = layout.scratch(xp, dtype)
    for index in layout.blocks(xp):
        block = target[index]
        part = product(block)
        xp.multiply(view[index], beta, out=block)
        xp.multiply(grads[index], alpha, out=part)
        block += part
        block += gamma
    return result
