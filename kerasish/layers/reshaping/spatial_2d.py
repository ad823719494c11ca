"""Argument handling shared by the 2-D spatial reshaping layers (ZeroPadding2D, Cropping2D, UpSampling2D)."""


def pairs_2d(value, name):
    """An int, 2 ints (symmetric per axis) or 2 pairs of ints as ((top, bottom), (left, right))."""
    error = (
        f"`{name}` should be either an int, a tuple of 2 ints ({name}_height, {name}_width), or a tuple of "
        f"2 tuples of 2 ints ((top_{name}, bottom_{name}), (left_{name}, right_{name})). Received: "
        f"{name}={value}"
    )
    if isinstance(value, int):
        result = ((value, value), (value, value))
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        result = tuple((v, v) if isinstance(v, int) else tuple(v) for v in value)
    else:
        raise ValueError(error)
    if any(len(pair) != 2 or not all(isinstance(v, int) and v >= 0 for v in pair) for pair in result):
        raise ValueError(error)
    return result


def spatial_axes(data_format):
    return (2, 3) if data_format == "channels_first" else (1, 2)
