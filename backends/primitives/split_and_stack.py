"""numpy's named splits and stacks as Keras's: array_split, hsplit, vsplit, dsplit, hstack, vstack, dstack and
append, all composites of `split`/`getitem` and `concatenate` (whose gradients they share)."""

from .registry import export, int_argument, normalize_axis, ops, shape_of


@export
def array_split(x, indices_or_sections, axis=0):
    """`indices_or_sections` nearly equal parts along `axis`: the first (size % sections) are one longer."""
    if not isinstance(indices_or_sections, int) or isinstance(indices_or_sections, bool):
        raise TypeError(
            "array_split: Argument `indices_or_sections` must be of type `int`. "
            f"Received: indices_or_sections={indices_or_sections}"
        )
    if indices_or_sections <= 0:
        raise ValueError(
            "array_split: Argument `indices_or_sections` must be a positive integer. "
            f"Received: indices_or_sections={indices_or_sections}"
        )
    shape = shape_of(x)
    axis = normalize_axis("array_split", int_argument("array_split", "axis", axis), len(shape))[0]
    size = shape[axis]
    if size is None:
        raise ValueError(f"array_split: needs the size of axis {axis}, unknown in shape {shape}")
    step, longer = divmod(size, indices_or_sections)
    bounds = [0]
    for part in range(indices_or_sections):
        bounds.append(bounds[-1] + step + (part < longer))
    lead = (slice(None),) * axis
    return [ops.getitem(x, lead + (slice(start, stop),)) for start, stop in zip(bounds, bounds[1:])]


def _named_split(name, x, indices_or_sections, axis, rank):
    if len(shape_of(x)) < rank:
        raise ValueError(
            f"{name}: `{name}` only works on arrays of at least {rank} dimensions. "
            f"Received array with shape {shape_of(x)}."
        )
    return ops.split(x, indices_or_sections, axis=axis)


@export
def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 of a 1-D x)."""
    return _named_split("hsplit", x, indices_or_sections, 1 if len(shape_of(x)) > 1 else 0, 1)


@export
def vsplit(x, indices_or_sections):
    return _named_split("vsplit", x, indices_or_sections, 0, 2)


@export
def dsplit(x, indices_or_sections):
    return _named_split("dsplit", x, indices_or_sections, 2, 3)


def _at_least(x, rank):
    """numpy's atleast_2d (a row) and atleast_3d ((1, n, 1) from a vector, (m, n, 1) from a matrix)."""
    dims = len(shape_of(x))
    if dims >= rank:
        return x
    if rank == 2:
        return ops.reshape(x, (1, -1))
    if dims == 2:
        return ops.expand_dims(x, -1)
    return ops.reshape(x, (1, -1, 1))


@export
def hstack(xs):
    xs = list(xs)  # a tensor is the sequence of its rows, as in Keras
    return ops.concatenate(xs, axis=0 if xs and len(shape_of(xs[0])) == 1 else 1)


@export
def vstack(xs):
    return ops.concatenate([_at_least(x, 2) for x in xs], axis=0)


@export
def dstack(xs):
    return ops.concatenate([_at_least(x, 3) for x in xs], axis=2)


@export
def append(x1, x2, axis=None):
    """x2 appended to x1 along `axis`; without an axis, both are flattened first."""
    if axis is None:
        return ops.concatenate([ops.reshape(x1, (-1,)), ops.reshape(x2, (-1,))], axis=0)
    return ops.concatenate([x1, x2], axis=axis)
