"""Argument handling shared by the spatial reshaping layers (ZeroPadding, Cropping and UpSampling in 1, 2 and
3 dimensions)."""

from kerasish.layers.arguments import standardize_tuple


def spatial_pairs(value, rank, name):
    """((before, after) per spatial axis) from an int, `rank` ints (symmetric per axis) or `rank` pairs of ints;
    for rank 1, an int or one (before, after) pair, as Keras's 1-D layers take it."""
    if rank == 1:
        return (standardize_tuple(value, 2, name, allow_zero=True),)
    error = ValueError(
        f"`{name}` should be either an int, a tuple of {rank} ints, or a tuple of {rank} tuples of 2 ints "
        f"(before and after each spatial axis). Received: {name}={value}"
    )
    if isinstance(value, int) and not isinstance(value, bool):
        result = ((value, value),) * rank
    elif isinstance(value, (tuple, list)) and len(value) == rank:
        result = tuple((v, v) if isinstance(v, int) else tuple(v) for v in value)
    else:
        raise error
    if any(len(pair) != 2 or not all(isinstance(v, int) and v >= 0 for v in pair) for pair in result):
        raise error
    return result


def spatial_axes(data_format, rank):
    return tuple(range(2, rank + 2)) if data_format == "channels_first" else tuple(range(1, rank + 1))
