"""Vector and matrix norms (Keras `ops.norm`) and normalisation by a norm (Keras `ops.normalize`), composed
from other ops, so their gradients are those of the composition (the 2-norm and nuclear norm through the
singular values)."""

import math

from .. import config
from .elementwise import float_dtype
from .registry import dtype_of, export, normalize_axis, ops, shape_of

_MATRIX_ORDERS = (None, "fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def _vector_norm(x, order, axis, keepdims):
    if order is None or order == 2:
        return ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=keepdims))
    magnitude = ops.abs(x)
    if order == math.inf:
        return ops.max(magnitude, axis=axis, keepdims=keepdims)
    if order == -math.inf:
        return ops.min(magnitude, axis=axis, keepdims=keepdims)
    if order == 0:
        return ops.sum(ops.cast(ops.not_equal(x, 0), x.dtype), axis=axis, keepdims=keepdims)
    if order == 1:
        return ops.sum(magnitude, axis=axis, keepdims=keepdims)
    return ops.power(ops.sum(ops.power(magnitude, order), axis=axis, keepdims=keepdims), 1.0 / order)


def _matrix_norm(x, order, axes, keepdims):
    rows, columns = axes
    if order in (None, "fro"):
        return ops.sqrt(ops.sum(ops.square(x), axis=axes, keepdims=keepdims))
    if order in (1, -1, math.inf, -math.inf):
        summed, reduced = (rows, columns) if order in (1, -1) else (columns, rows)
        sums = ops.sum(ops.abs(x), axis=summed, keepdims=True)
        pick = ops.max if order > 0 else ops.min
        result = pick(sums, axis=reduced, keepdims=True)
    else:
        singular = ops.svd(ops.moveaxis(x, axes, (-2, -1)), compute_uv=False)
        reduce = {"nuc": ops.sum, 2: ops.max, -2: ops.min}[order]
        result = ops.expand_dims(reduce(singular, axis=-1), (-2, -1))
        result = ops.moveaxis(result, (-2, -1), axes)
    return result if keepdims else ops.squeeze(result, axes)


@export
def norm(x, ord=None, axis=None, keepdims=False):
    """numpy's `linalg.norm`: a vector norm over one axis, a matrix norm over two (see Keras `ops.norm`)."""
    x = ops.cast(x, float_dtype(dtype_of(x)))
    rank = len(shape_of(x))
    if axis is None:
        if ord is not None and rank not in (1, 2):
            raise ValueError(
                f"norm: Improper number of dimensions to norm: ord={ord!r} needs a vector or a matrix, or "
                f"`axis`; received shape {shape_of(x)}"
            )
        axes = tuple(range(rank))
    else:
        axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
        normalize_axis("norm", axes, rank)
        axes = tuple(int(a) % rank for a in axes)
    if ord is None:
        return ops.sqrt(ops.sum(ops.square(x), axis=axes, keepdims=keepdims))
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"norm: Invalid `ord` argument for vector norm. Received: ord={ord}")
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        if ord not in _MATRIX_ORDERS:
            raise ValueError(f"norm: Invalid `ord` argument for matrix norm. Received: ord={ord}")
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: `axis` must name one axis (a vector norm) or two (a matrix norm); received axis={axis}")


@export
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x / max(norm(x), epsilon)` along `axis` (Keras's L2 case: `x * min(rsqrt(sum(x²)), 1 / epsilon)`)."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: Argument `order` must be an int >= 1. Received: order={order}")
    x = ops.cast(x, float_dtype(dtype_of(x)))
    if not shape_of(x):
        x = ops.expand_dims(x, 0)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inverse = ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
        return x * ops.minimum(inverse, 1.0 / epsilon)
    return ops.divide(x, ops.maximum(norm(x, ord=order, axis=axis, keepdims=True), epsilon))
