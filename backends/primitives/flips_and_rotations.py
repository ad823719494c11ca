"""numpy's named flips and quarter turns as Keras's: fliplr, flipud and rot90, composites of flip and
transpose."""

from .registry import export, normalize_axis, ops, shape_of


@export
def fliplr(x):
    if len(shape_of(x)) < 2:
        raise ValueError(f"fliplr: x must have rank 2 or more, received x of shape {shape_of(x)}")
    return ops.flip(x, axis=1)


@export
def flipud(x):
    if len(shape_of(x)) < 1:
        raise ValueError("flipud: x must have rank 1 or more, received a scalar")
    return ops.flip(x, axis=0)


@export
def rot90(array, k=1, axes=(0, 1)):
    """`array` turned by k quarter turns in the plane of `axes`, from the first axis towards the second."""
    rank = len(shape_of(array))
    if rank < 2:
        raise ValueError(f"rot90: Input array must have at least 2 dimensions. Received: array.ndim={rank}")
    if len(axes) != 2:
        raise ValueError(f"rot90: `axes` must be a tuple of length 2. Received: axes={axes}")
    first, second = (normalize_axis("rot90", a, rank)[0] for a in axes)
    if first == second:
        raise ValueError(f"rot90: `axes` must be different. Received: axes={axes}")
    k = int(k) % 4
    if k == 0:
        return ops.convert_to_tensor(array)
    if k == 2:
        return ops.flip(ops.flip(array, axis=first), axis=second)
    order = list(range(rank))
    order[first], order[second] = order[second], order[first]
    if k == 1:
        return ops.transpose(ops.flip(array, axis=second), order)
    return ops.flip(ops.transpose(array, order), axis=second)
