"""The first maximum of each window, over `xp`: pick values there, or spread gradients onto it.

Windows are `(batch, *output_spatial, *kernel_size, channels)` with `rank` spatial axes. Ties go to the
first maximum in row-major window order, as in TensorFlow and torch max pooling.
"""
import math


def _flat(array, rank):
    """(batch * prod(output_spatial), prod(kernel_size), channels)."""
    return array.reshape(-1, math.prod(array.shape[1 + rank:1 + 2 * rank]), array.shape[-1])


def first_max_index(windows, rank):
    return _flat(windows, rank).argmax(axis=1)


def select(xp, windows, values, rank):
    """values at each window's first maximum: (batch, *output_spatial, channels)."""
    picked = xp.take_along_axis(_flat(values, rank), first_max_index(windows, rank)[:, None, :], axis=1)
    return picked.reshape(windows.shape[:1 + rank] + windows.shape[-1:])


def spread(xp, windows, grad, rank):
    """grad (batch, *output_spatial, channels) placed at each window's first maximum, zeros elsewhere."""
    flat = _flat(windows, rank)
    hits = xp.arange(flat.shape[1])[:, None] == first_max_index(windows, rank)[:, None, :]
    return (hits * grad.reshape(-1, 1, flat.shape[-1])).astype(grad.dtype, copy=False).reshape(windows.shape)
