"""to_categorical and normalize, as in `keras.utils`.

One difference from Keras: for array input Keras returns float64 one-hot arrays; kerasish returns
floatx (float32 by default), so labels never bring float64 into a model.
"""

import numbers

import numpy

from kerasish import ops
from kerasish.backends import config


def _is_array_like(x):
    return isinstance(x, (numpy.ndarray, numpy.generic, list, tuple, numbers.Number))


def to_categorical(x, num_classes=None):
    """Class indices (shape `s`, or `s + (1,)`) to a one-hot matrix of shape `s + (num_classes,)`;
    `num_classes=None` uses the largest index + 1 (arrays only: a tensor's values are not read)."""
    if not _is_array_like(x):
        if num_classes is None:
            raise ValueError(
                "to_categorical: `num_classes` is required for a tensor input, whose values are not "
                f"known in advance (received a {type(x).__name__} of shape {tuple(x.shape)})"
            )
        if len(x.shape) > 1 and x.shape[-1] == 1:
            x = ops.reshape(x, tuple(x.shape[:-1]))
        return ops.one_hot(x, num_classes)
    x = numpy.asarray(x)
    if x.dtype.kind not in "iub" and not (x.dtype.kind == "f" and numpy.all(x == numpy.round(x))):
        raise ValueError(f"to_categorical: expected integer class indices, received values of dtype {x.dtype}")
    x = x.astype("int64")
    shape = x.shape[:-1] if x.ndim > 1 and x.shape[-1] == 1 else x.shape
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(
            f"to_categorical: class indices must be in [0, {num_classes}) for num_classes="
            f"{num_classes}, received values from {x.min()} to {x.max()}"
        )
    categorical = numpy.zeros((x.shape[0], num_classes), dtype=config.floatx())
    categorical[numpy.arange(x.shape[0]), x] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Divide `x` by its `order`-norm along `axis` (zero norms are left as 1, so zeros stay zeros)."""
    if isinstance(x, numpy.ndarray):
        norm = numpy.atleast_1d(numpy.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / (numpy.expand_dims(norm, axis) if axis is not None else norm)
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: argument `order` must be an int >= 1. Received: order={order}")
    norm = ops.power(ops.sum(ops.power(ops.abs(x), order), axis=axis, keepdims=True), 1.0 / order)
    return ops.divide(x, ops.where(ops.equal(norm, 0.0), 1.0, norm))
