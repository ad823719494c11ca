"""numpy's products as Keras's: kron, cross, vdot and correlate, composites of broadcasting multiplies, sums
and gathers at static indices (so each has the gradients of those)."""

import math

import numpy

from .. import config
from .registry import broadcast_shapes, dtype_of, export, normalize_axis, ops, result_dtype, shape_of


def _known(name, x):
    shape = shape_of(x)
    if None in shape:
        raise ValueError(f"{name}: needs a fully known static shape, got {shape}")
    return shape


@export
def kron(x1, x2):
    """The Kronecker product: block (i, j, ...) of the result is x1[i, j, ...] * x2."""
    a, b = _known("kron", x1), _known("kron", x2)
    rank = max(len(a), len(b))
    a, b = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    left = ops.reshape(x1, [d for size in a for d in (size, 1)])
    right = ops.reshape(x2, [d for size in b for d in (1, size)])
    return ops.reshape(ops.multiply(left, right), [p * q for p, q in zip(a, b)])


def _component(vector, i):
    return ops.getitem(vector, (Ellipsis, i))


@export
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 2- or 3-vectors along axisa of x1 and axisb of x2 (both `axis` when it is given);
    2-vectors have z = 0, and two of them give the z component alone, as numpy does."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = ops.moveaxis(x1, normalize_axis("cross", axisa, len(shape_of(x1)))[0], -1)
    b = ops.moveaxis(x2, normalize_axis("cross", axisb, len(shape_of(x2)))[0], -1)
    broadcast_shapes("cross", shape_of(a)[:-1], shape_of(b)[:-1])
    sizes = (shape_of(a)[-1], shape_of(b)[-1])
    if any(size not in (2, 3) for size in sizes):
        raise ValueError(
            f"cross: incompatible dimensions for cross product (dimension must be 2 or 3), received vectors of "
            f"length {sizes[0]} and {sizes[1]} (shapes {shape_of(x1)} and {shape_of(x2)})"
        )
    a_x, a_y, b_x, b_y = _component(a, 0), _component(a, 1), _component(b, 0), _component(b, 1)
    z = ops.subtract(ops.multiply(a_x, b_y), ops.multiply(a_y, b_x))
    if sizes == (2, 2):
        return z
    a_z = _component(a, 2) if sizes[0] == 3 else None
    b_z = _component(b, 2) if sizes[1] == 3 else None
    if a_z is None:
        x, y = ops.multiply(a_y, b_z), ops.negative(ops.multiply(a_x, b_z))
    elif b_z is None:
        x, y = ops.negative(ops.multiply(a_z, b_y)), ops.multiply(a_z, b_x)
    else:
        x = ops.subtract(ops.multiply(a_y, b_z), ops.multiply(a_z, b_y))
        y = ops.subtract(ops.multiply(a_z, b_x), ops.multiply(a_x, b_z))
    result = ops.stack([x, y, z], axis=-1)  # each a product of one component of a and one of b: one shape
    return ops.moveaxis(result, -1, normalize_axis("cross", axisc, len(shape_of(result)))[0])


@export
def vdot(x1, x2):
    """The dot product of x1 and x2 flattened (real tensors: no conjugate to take)."""
    sizes = [math.prod(shape_of(x)) if None not in shape_of(x) else None for x in (x1, x2)]
    if None not in sizes and sizes[0] != sizes[1]:
        raise ValueError(
            f"vdot: x1 and x2 must have the same number of elements, received shapes {shape_of(x1)} and {shape_of(x2)}"
        )
    return ops.sum(ops.multiply(ops.reshape(x1, (-1,)), ops.reshape(x2, (-1,))))


def _correlate_dtype(x1, x2):
    dtype = numpy.dtype(result_dtype(dtype_of(x1), dtype_of(x2)))
    if dtype == numpy.dtype("int64") or dtype == numpy.dtype("float64"):
        return "float64"
    return "float16" if dtype == numpy.dtype("float16") else config.floatx()


@export
def correlate(x1, x2, mode="valid"):
    """The cross-correlation c[k] = sum_n x1[n + k] * x2[n] of two 1-D tensors, over the full overlap range
    ("full"), the centred window of the longer length ("same") or where they overlap wholly ("valid")."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be one of 'valid', 'same', 'full', received mode={mode!r}")
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError(f"correlate: x1 and x2 must be 1-D, received shapes {shape_of(x1)} and {shape_of(x2)}")
    (n,), (m,) = _known("correlate", x1), _known("correlate", x2)
    if not n or not m:
        raise ValueError(f"correlate: inputs cannot be empty, received shapes {shape_of(x1)} and {shape_of(x2)}")
    dtype = _correlate_dtype(x1, x2)
    padded = ops.pad(ops.cast(x1, dtype), ((m - 1, m - 1),))
    windows = ops.getitem(padded, numpy.arange(n + m - 1)[:, None] + numpy.arange(m)[None, :])
    full = ops.sum(ops.multiply(windows, ops.cast(x2, dtype)), axis=1)
    if mode == "full":
        return full
    short, long = min(n, m), max(n, m)
    if mode == "valid":
        start = short - 1
    else:  # numpy centres the window one place further right when x2 is the longer input
        start = (short - 1) // 2 if n >= m else short // 2
    return ops.getitem(full, slice(start, start + (long - short + 1 if mode == "valid" else long)))
