"""Diagonals as Keras's: diagonal, trace, diag and diagflat, gathers and scatters at static indices (so their
gradients are getitem's and scatter's)."""

import numpy

from .registry import export, int_argument, normalize_axis, ops, shape_of


def _diagonal_length(rows, columns, offset):
    return max(0, min(rows + min(offset, 0), columns - max(offset, 0)))


@export
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The `offset` diagonal of the matrices over axes (axis1, axis2), as the last axis of the result."""
    shape = shape_of(x)
    if len(shape) < 2:
        raise ValueError(f"diagonal: x must have rank 2 or more, received x of shape {shape}")
    offset = int_argument("diagonal", "offset", offset)
    first, second = (normalize_axis("diagonal", a, len(shape))[0] for a in (axis1, axis2))
    if first == second:
        raise ValueError(f"diagonal: axis1 and axis2 cannot be the same axis ({axis1} and {axis2})")
    rows, columns = shape[first], shape[second]
    if rows is None or columns is None:
        raise ValueError(f"diagonal: needs the sizes of axes {first} and {second}, unknown in shape {shape}")
    start = numpy.arange(_diagonal_length(rows, columns, offset))
    matrices = ops.moveaxis(x, (first, second), (-2, -1))
    return ops.getitem(matrices, (Ellipsis, start - min(offset, 0), start + max(offset, 0)))


@export
def trace(x, offset=0, axis1=0, axis2=1):
    return ops.sum(diagonal(x, offset, axis1, axis2), axis=-1)


@export
def diag(x, k=0):
    """The k-th diagonal of a 2-D x, or the square matrix with a 1-D x on its k-th diagonal."""
    shape = shape_of(x)
    k = int_argument("diag", "k", k)
    if len(shape) == 2:
        return diagonal(x, k)
    if len(shape) != 1:
        raise ValueError(f"diag: `x` must be 1-D or 2-D, received x of shape {shape}")
    if shape[0] is None:
        raise ValueError(f"diag: needs the length of x, unknown in shape {shape}")
    size = shape[0] + abs(k)
    start = numpy.arange(shape[0])
    indices = numpy.stack([start - min(k, 0), start + max(k, 0)], axis=-1).astype("int32")
    return ops.scatter(indices, x, (size, size))


@export
def diagflat(x, k=0):
    return diag(ops.reshape(x, (-1,)), k)
