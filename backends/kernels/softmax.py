"""Numerically stable softmax, log-softmax and sparse softmax cross-entropy over `xp`: the maximum is
subtracted before exp where the values could leave exp's range; the softmax's gradient."""

import math

import numpy

from . import blas, sums

LARGE = 1 << 11  # from this many values the CPU paths below pay for their checks
ROWS = 16  # ... and from this many rows along the last axis (numpy's row reductions pay a setup per row)
ROW = 1 << 10  # `_sums` by a product with ones for rows of at most this many values
_RANGE = {dtype: math.log(numpy.finfo(dtype).max) / 2 for dtype in blas.DTYPES}


def _pays(xp, x):
    """Whether `x` takes the CPU paths below: a float32/float64 host array of LARGE values or more, or of ROWS
    rows or more along its last axis (a (128, 10) batch of logits: its row maxima by `max` take 6.8 µs, the
    whole array's min and max 2.4, its row sums by `sum` 3.6 µs and by a product with ones 0.6)."""
    if xp is not numpy or x.dtype not in blas.DTYPES:
        return False
    size = x.size
    return size >= LARGE or (x.ndim > 0 and size >= ROWS * x.shape[-1] > 0)


def _in_range(x, pays):
    """Whether exp(x) needs no shift by the maximum (where `pays`, `_pays(xp, x)`, which each kernel asks once for
    its input and the arrays of its shape it makes: 5K instructions): every value lies within ±half the log of the
    dtype's largest number (±44.4 in float32), so exp(x) neither overflows nor leaves the normal numbers, and nor
    does a sum of up to sqrt(largest) of them (1.8e19 in float32). Softmax is the same for any shift of a row,
    and exp(x) is as accurate as exp(x − max), whose argument is rounded; the shift by the row's maximum costs a
    per-row reduction and a pass over a broadcast column (on the attention's (32, 4, 128, 128) scores 1.35 of
    3.16 ms, the two whole-array checks 0.21). nan and infinities fail the check and take the shifted path."""
    if not pays:
        return False
    bound = _RANGE[x.dtype]
    return bool(-bound <= x.min() and x.max() <= bound)


def _sums(xp, x, axis, pays, keepdims=True):
    """x's sums along `axis`. Where `pays` (`_pays(xp, x)`), for rows along the last axis of at most ROW values, as
    one product with a vector of ones (BLAS): numpy's `sum` pays a setup per row (on the attention's (32, 4, 128, 128)
    probabilities 0.58 ms against the product's 0.17, einsum's 0.20; 3.6 µs against 0.6 on (128, 10)). The
    product adds each row in order in SIMD lanes where `sum` adds pairwise: the same within float32 rounding on
    such rows."""
    if pays and isinstance(axis, int) and axis % x.ndim == x.ndim - 1 and x.shape[-1] <= ROW:
        result = sums.last_axis(xp, x)
        return result[..., None] if keepdims else result
    return x.sum(axis=axis, keepdims=keepdims)


def softmax(xp, x, axis, overwrite=False):
    """`overwrite`: compute in x's own memory (x is a fresh array that nothing else reads)."""
    pays = _pays(xp, x)
    if _in_range(x, pays):
        result = xp.exp(x, out=x if overwrite else None)
    else:
        if overwrite:
            result = x
            result -= x.max(axis=axis, keepdims=True)
        else:
            result = x - x.max(axis=axis, keepdims=True)
        xp.exp(result, out=result)
    result /= _sums(xp, result, axis, pays)
    return result


def log_softmax(xp, x, axis):
    pays = _pays(xp, x)
    if _in_range(x, pays):
        return x - xp.log(_sums(xp, xp.exp(x), axis, pays))
    result = x - x.max(axis=axis, keepdims=True)
    result -= xp.log(_sums(xp, xp.exp(result), axis, pays))
    return result


def _labels(xp, labels, shape, axis):
    """Where each label's class lies in the flat (C-order) layout of scores of `shape` whose class axis is `axis`,
    and, for labels of a float dtype, whether each label is a whole number (None for integer labels): a label
    such as 1.5 names no class, as its all-zero one-hot row does. Flat positions, one `take` or one flat
    assignment: on (128, 10) a third of the instructions of an index over two axes, a sixth of a subtraction
    through it. On a GPU the labels are taken modulo the number of classes, which leaves those in range as they
    are: there the label check's flag is read only after the step, and the labels it rejects must not index out
    of bounds until then (on the CPU the check has raised already)."""
    classes, inner = shape[axis], math.prod(shape[axis + 1 :])
    index = labels.astype(numpy.int64, copy=False)
    whole = None if labels.dtype.kind in "iub" else index == labels
    if xp is not numpy:
        index = index % classes
    if inner == 1:  # the class axis last: the first class of each row is `classes` after the previous one
        first = xp.arange(0, labels.size * classes, classes or 1)
        return (first if labels.ndim == 1 else first.reshape(labels.shape)) + index, whole
    first = xp.arange(labels.size // max(inner, 1))[:, None] * (classes * inner) + xp.arange(inner)
    return first.reshape(labels.shape) + index * inner, whole


def sparse_softmax_crossentropy(xp, labels, logits, axis):
    """-log_softmax(logits)[label] = logsumexp(logits) - logits[label] along `axis`, the label's score gathered
    (no one-hot); labels must lie in [0, classes) (the caller checks)."""
    axis %= logits.ndim
    positions, whole = _labels(xp, labels, logits.shape, axis)
    pays = _pays(xp, logits)
    if _in_range(logits, pays):
        picked, shifted = logits.reshape(-1).take(positions), xp.exp(logits)
    else:
        shifted = logits - logits.max(axis=axis, keepdims=True)
        picked = shifted.reshape(-1).take(positions)
        xp.exp(shifted, out=shifted)
    loss = xp.log(_sums(xp, shifted, axis, pays, keepdims=False))
    loss -= picked
    if whole is not None:
        loss *= whole
    return loss


def sparse_softmax_crossentropy_gradient(xp, labels, logits, gradient, axis):
    """`gradient` (the loss's shape, or one value for every loss) times softmax(logits) - one_hot(labels) along
    `axis`: the gradient of `sparse_softmax_crossentropy` with respect to the logits."""
    axis %= logits.ndim
    positions, whole = _labels(xp, labels, logits.shape, axis)
    result = softmax(xp, logits, axis)
    if not result.flags.c_contiguous:  # the flat assignment below must write into `result` itself
        result = xp.ascontiguousarray(result)
    result.reshape(-1)[positions] -= 1
    if whole is not None:
        gradient = gradient * whole
    if gradient.ndim:
        gradient = gradient.reshape(result.shape[:axis] + (1,) + result.shape[axis + 1 :])  # expand_dims, cheaper
    result *= gradient
    return result


def softmax_gradient(xp, probabilities, gradient, axis):
    """`probabilities * (gradient - sum(gradient * probabilities))` along `axis`: the gradient of softmax's input
    from its output's, in one array. Over the last axis alone (float32/float64) each row's sum is one batched dot
    product, a pass instead of a product array and its sum."""
    axes = tuple(a % probabilities.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    same = probabilities.dtype == gradient.dtype
    if axes == (probabilities.ndim - 1,) and same and probabilities.dtype in blas.DTYPES:
        row = xp.matmul(gradient[..., None, :], probabilities[..., :, None])[..., 0]
    else:
        row = (gradient * probabilities).sum(axis=axes, keepdims=True)
    result = xp.subtract(gradient, row)
    result *= probabilities
    return result
