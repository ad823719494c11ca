"""What a step function receives: `x`, `(x, y)` or `(x, y, sample_weight)`, as the user gave it (Keras's
`keras.utils.pack_x_y_sample_weight` / `unpack_x_y_sample_weight`)."""


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """`x` alone when there are no targets (a tuple `x` is wrapped as `(x,)`), else `(x, y)` or `(x, y, sw)`."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from any of the packed forms, with None for what is absent."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found a tuple of {len(data)} elements"
    )
