"""Differences and their sums as Keras's: diff (n-th discrete differences) and trapezoid (the integral by the
trapezoidal rule), composites of slices, subtractions and sums."""

from .. import config
from .registry import dtype_of, export, int_argument, normalize_axis, ops, shape_of


def _along(x, axis, start, stop):
    return ops.getitem(x, (slice(None),) * axis + (slice(start, stop),))


@export
def diff(a, n=1, axis=-1):
    """a[i + 1] - a[i] along `axis`, n times (booleans: whether neighbours differ, as numpy does)."""
    n = int_argument("diff", "n", n)
    if n < 0:
        raise ValueError(f"diff: order must be non-negative, received n={n}")
    if n == 0:
        return ops.convert_to_tensor(a)
    axis = normalize_axis("diff", axis, len(shape_of(a)))[0]
    for _ in range(n):
        later, earlier = _along(a, axis, 1, None), _along(a, axis, None, -1)
        a = ops.not_equal(later, earlier) if dtype_of(a).kind == "b" else ops.subtract(later, earlier)
    return a


@export
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y along `axis` by the trapezoidal rule, with sample points x or a constant spacing dx."""
    if dtype_of(y).kind not in "fc":
        y = ops.cast(y, config.floatx())
    rank = len(shape_of(y))
    axis = normalize_axis("trapezoid", axis, rank)[0]
    if x is None:
        spacing = dx
    else:
        spacing = diff(x, axis=-1 if len(shape_of(x)) == 1 else axis)
        if len(shape_of(x)) == 1:
            if None not in (shape_of(x)[0], shape_of(y)[axis]) and shape_of(x)[0] != shape_of(y)[axis]:
                raise ValueError(
                    f"trapezoid: x of shape {shape_of(x)} must have y's length {shape_of(y)[axis]} along axis "
                    f"{axis} (y shape {shape_of(y)})"
                )
            spacing = ops.reshape(spacing, [-1 if i == axis else 1 for i in range(rank)])
    heights = ops.add(_along(y, axis, 1, None), _along(y, axis, None, -1))
    return ops.sum(ops.multiply(spacing, heights), axis=axis) / 2.0
