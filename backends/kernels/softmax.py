"""Numerically stable softmax, log-softmax and sparse softmax cross-entropy over `xp`: the maximum is
subtracted before exp; the softmax's gradient."""

import numpy

_BLAS = (numpy.dtype("float32"), numpy.dtype("float64"))


def softmax(xp, x, axis, overwrite=False):
    """`overwrite`: compute in x's own memory (x is a fresh array that nothing else reads)."""
    if overwrite:
        result = x
        result -= x.max(axis=axis, keepdims=True)
    else:
        result = x - x.max(axis=axis, keepdims=True)
    xp.exp(result, out=result)
    result /= result.sum(axis=axis, keepdims=True)
    return result


def log_softmax(xp, x, axis):
    result = x - x.max(axis=axis, keepdims=True)
    result -= xp.log(xp.exp(result).sum(axis=axis, keepdims=True))
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
    shifted = logits - logits.max(axis=axis, keepdims=True)
    picked = shifted[index]
    xp.exp(shifted, out=shifted)
    loss = xp.log(shifted.sum(axis=axis))
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
