"""Distances between tensors as Keras's ops: cdist (pairwise Euclidean distances) and psnr (peak
signal-to-noise ratio), composed from other ops."""

from .registry import export, ops, shape_of


@export
def cdist(x, y):
    """The Euclidean distance between every row of `x` `(..., m, d)` and of `y` `(..., n, d)`: `(..., m, n)`."""
    x_shape, y_shape = shape_of(x), shape_of(y)
    if len(x_shape) < 2 or len(y_shape) < 2:
        raise ValueError(f"cdist: `cdist` inputs must have rank >= 2. Received: x.shape={x_shape}, y.shape={y_shape}")
    if x_shape[-1] is not None and y_shape[-1] is not None and x_shape[-1] != y_shape[-1]:
        raise ValueError(
            f"cdist: Last dimension of inputs to `cdist` must match. Received: x.shape={x_shape}, y.shape={y_shape}"
        )
    difference = ops.expand_dims(x, -2) - ops.expand_dims(y, -3)
    return ops.sqrt(ops.sum(difference * difference, axis=-1))


@export
def psnr(x1, x2, max_val):
    """`20 log10(max_val) - 10 log10(mean((x1 - x2)²))` over all elements: a scalar."""
    if shape_of(x1) != shape_of(x2):
        raise ValueError(f"psnr: Input shapes {shape_of(x1)} and {shape_of(x2)} must match for PSNR calculation.")
    error = ops.mean(ops.square(ops.subtract(x1, x2)))
    return 20 * ops.log10(ops.cast(max_val, error.dtype)) - 10 * ops.log10(error)
