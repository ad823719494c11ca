"""The first maximum of each window, over `xp`: pick values there, or spread gradients onto it.

Windows are `(batch, *output_spatial, *kernel_size, channels)` with `rank` spatial axes. Ties go to the
first maximum in row-major window order, as in TensorFlow and torch max pooling.
"""

import math


def _flat(array, rank):
    """(batch * prod(output_spatial), prod(kernel_size), channels)."""
    return array.reshape(-1, math.prod(array.shape[1 + rank : 1 + 2 * rank]), array.shape[-1])


def first_max_mask(windows, rank):
    """True at each window's first maximum only; a loop over the (few) taps beats argmax on a middle axis."""
    flat = _flat(windows, rank)
    hits = flat == flat.max(axis=1, keepdims=True)
    seen = hits[:, 0].copy()
    for tap in range(1, hits.shape[1]):
        hit = hits[:, tap]
        hit &= ~seen
        seen |= hit
    return hits


def select(xp, windows, values, rank):
    """values at each window's first maximum: (batch, *output_spatial, channels)."""
    if values is windows:  # the pooled maximum itself (the forward pass): no mask needed
        picked = _flat(windows, rank).max(axis=1)
    else:
        picked = (_flat(values, rank) * first_max_mask(windows, rank)).sum(axis=1)
    return picked.reshape(windows.shape[: 1 + rank] + windows.shape[-1:])


def spread(xp, windows, grad, rank):
    """grad (batch, *output_spatial, channels) placed at each window's first maximum, zeros elsewhere."""
    mask = first_max_mask(windows, rank)
    return (mask * grad.reshape(-1, 1, mask.shape[-1])).astype(grad.dtype, copy=False).reshape(windows.shape)
