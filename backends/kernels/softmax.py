"""Numerically stable softmax, log-softmax and sparse softmax cross-entropy over `xp`: the maximum is
subtracted before exp where the values could leave exp's range; the softmax's gradient."""

import math

import numpy

_BLAS = (numpy.dtype("float32"), numpy.dtype("float64"))
LARGE = 1 << 11  # from this many values the CPU paths below pay for their checks
ROW = 1 << 10  # `_sums` by einsum for rows of at most this many values
_RANGE = {dtype: math.log(numpy.finfo(dtype).max) / 2 for dtype in _BLAS}


def _in_range(xp, x):
    """Whether exp(x) needs no shift by the maximum (on the CPU, float32/float64, LARGE values or more): every
    value lies within ±half the log of the dtype's largest number (±44.4 in float32), so exp(x) neither
    overflows nor leaves the normal numbers, and nor does a sum of up to sqrt(largest) of them (1.8e19 in
    float32). Softmax is the same for any shift of a row, and exp(x) is as accurate as exp(x − max), whose
    argument is rounded; the shift by the row's maximum costs a per-row reduction and a pass over a broadcast
    column (on the attention's (32, 4, 128, 128) scores 1.35 of 3.16 ms, the two whole-array checks 0.21). nan
    and infinities fail the check and take the shifted path."""
    if xp is not numpy or x.dtype not in _BLAS or x.size < LARGE:
        return False
    bound = _RANGE[x.dtype]
    return bool(-bound <= x.min() and x.max() <= bound)


def _sums(xp, x, axis, keepdims=True):
    """x's sums along `axis`. On the CPU, for rows along the last axis of a float32/float64 array of LARGE
    values or more, rows of at most ROW, by einsum: numpy's `sum` pays a setup per row (on the attention's
    (32, 4, 128, 128) probabilities 0.58 ms against einsum's 0.17; 6.2 µs against 3.3 on (256, 10)). einsum adds
    each row in order in SIMD lanes where `sum` adds pairwise: the same within float32 rounding on such rows."""
    if (
        xp is numpy
        and x.dtype in _BLAS
        and x.size >= LARGE
        and isinstance(axis, int)
        and axis % x.ndim == x.ndim - 1
        and x.shape[-1] <= ROW
    ):
        sums = xp.einsum("...i->...", x)
        return sums[..., None] if keepdims else sums
    return x.sum(axis=axis, keepdims=keepdims)


def softmax(xp, x, axis, overwrite=False):
    """`overwrite`: compute in x's own memory (x is a fresh array that nothing else reads)."""
    if _in_range(xp, x):
        result = xp.exp(x, out=x if overwrite else None)
    else:
        if overwrite:
            result = x
            result -= x.max(axis=axis, keepdims=True)
        else:
            result = x - x.max(axis=axis, keepdims=True)
        xp.exp(result, out=result)
    result /= _sums(xp, result, axis)
    return result


def log_softmax(xp, x, axis):
    if _in_range(xp, x):
        return x - xp.log(_sums(xp, xp.exp(x), axis))
    result = x - x.max(axis=axis, keepdims=True)
    result -= xp.log(_sums(xp, xp.exp(result), axis))
    return result


def _labels(xp, labels, classes, axis):
    """The index that picks each label's class along `axis` of the scores (open ranges over the other axes),
    and, for labels of a float dtype, whether each label is a whole number (None for integer labels): a label
    such as 1.5 names no class, as its all-zero one-hot row does. The index is taken modulo `classes`, which
    leaves labels in range as they are: on a GPU the label check's flag is read only after the step, and the
    labels it rejects must not index out of bounds until then."""
    index = labels if labels.dtype.kind in "iu" else labels.astype("int64")
    whole = None if labels.dtype.kind in "iub" else index == labels
    ranges = tuple(
        xp.arange(size).reshape((1,) * position + (size,) + (1,) * (labels.ndim - position - 1))
        for position, size in enumerate(labels.shape)
    )
    return ranges[:axis] + (index % classes,) + ranges[axis:], whole


def sparse_softmax_crossentropy(xp, labels, logits, axis):
    """-log_softmax(logits)[label] = logsumexp(logits) - logits[label] along `axis`, the label's score gathered
    (no one-hot); labels must lie in [0, classes) (the caller checks)."""
    axis %= logits.ndim
    index, whole = _labels(xp, labels, logits.shape[axis], axis)
    if _in_range(xp, logits):
        picked, shifted = logits[index], xp.exp(logits)
    else:
        shifted = logits - logits.max(axis=axis, keepdims=True)
        picked = shifted[index]
        xp.exp(shifted, out=shifted)
    loss = xp.log(_sums(xp, shifted, axis, keepdims=False))
    loss -= picked
    if whole is not None:
        loss *= whole
    return loss


def sparse_softmax_crossentropy_gradient(xp, labels, logits, gradient, axis):
    """`gradient` (the loss's shape) times softmax(logits) - one_hot(labels) along `axis`: the gradient of
    `sparse_softmax_crossentropy` with respect to the logits."""
    axis %= logits.ndim
    index, whole = _labels(xp, labels, logits.shape[axis], axis)
    result = softmax(xp, logits, axis)
    result[index] -= 1
    if whole is not None:
        gradient = gradient * whole
    result *= gradient.reshape(result.shape[:axis] + (1,) + result.shape[axis + 1 :])  # expand_dims, cheaper
    return result


def softmax_gradient(xp, probabilities, gradient, axis):
    """`probabilities * (gradient - sum(gradient * probabilities))` along `axis`: the gradient of softmax's input
    from its output's, in one array. Over the last axis alone (float32/float64) each row's sum is one batched dot
    product, a pass instead of a product array and its sum."""
    axes = tuple(a % probabilities.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    if axes == (probabilities.ndim - 1,) and probabilities.dtype == gradient.dtype and probabilities.dtype in _BLAS:
        row = xp.matmul(gradient[..., None, :], probabilities[..., :, None])[..., 0]
    else:
        row = (gradient * probabilities).sum(axis=axes, keepdims=True)
    result = xp.subtract(gradient, row)
    result *= probabilities
    return result
