"""The axis argument of the per-example normalisation layers (RMSNormalization, UnitNormalization)."""


def standardize_axis(axis):
    """An int, or a list of ints (a tuple becomes a list, as Keras stores it); anything else is a TypeError."""
    if isinstance(axis, (list, tuple)) and all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
        return list(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    raise TypeError(
        f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: axis={axis}"
    )


def check_axes_in_bounds(axis, input_shape):
    for a in axis if isinstance(axis, list) else [axis]:
        if not -len(input_shape) <= a < len(input_shape):
            raise ValueError(f"Axis {a} is out of bounds for input shape {tuple(input_shape)}. Received: axis={axis}")
