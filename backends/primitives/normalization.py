"""Normalisation ops with Keras's names: `moments`, `batch_normalization`, `layer_normalization`,
`rms_normalization`.

`moments` (both statistics, stacked) and `batch_normalization` are fused primitives whose gradients
reach every input, so training through `moments` is exact and a BatchNormalization step makes about a
dozen passes over the activations; layer and RMS normalisation are composed from other ops.
"""

import math

from .. import config
from .collective import allreduce, communicator
from .elementwise import float_dtype
from .reduction import reduced_shape, restore_axes
from .registry import export, normalize_axis, ops, primitive, shape_of


def _axes(axes):
    return tuple(int(a) for a in axes) if isinstance(axes, (list, tuple)) else int(axes)


def _moments_forward(xp, x, axes, keepdims):
    x = x.astype(float_dtype(x.dtype), copy=False)
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    variance = xp.square(centred, out=centred).mean(axis=axes, keepdims=keepdims)
    return xp.stack([mean.reshape(variance.shape), variance])


def _moments_vjp(g, inputs, output, needs, axes, keepdims):
    x = inputs[0]
    d_mean, d_variance, mean = (restore_axes(value, x, axes, keepdims) for value in (g[0], g[1], output[0]))
    count = _count(x, axes)
    return ((x - mean) * (2.0 * d_variance / count) + d_mean / count,)


def _count(x, axes):
    """How many elements each statistic gathers; counted at run time when a reduced size is unknown."""
    shape = shape_of(x)
    sizes = [shape[a] for a in normalize_axis("moments", axes, len(shape))]
    if None not in sizes:
        return math.prod(sizes)
    return ops.sum(ops.ones_like(x), axis=axes, keepdims=True)


def _moments_infer(shapes, dtypes, axes, keepdims):
    return (2, *reduced_shape("moments", shapes[0], axes, keepdims)), float_dtype(dtypes[0])


_moments = primitive("moments", _moments_forward, _moments_vjp, _moments_infer)


@export
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over `axes` from one fused primitive; the variance is the mean squared deviation.
    `synchronized=True` in a distributed job: the statistics of the whole global batch, from the sums of
    every process's count, count x mean and count x (variance + mean^2) (one allreduce)."""
    statistics = _moments(x, axes=_axes(axes), keepdims=bool(keepdims))
    if synchronized and communicator() is not None:
        return _synchronized(x, statistics, _axes(axes), bool(keepdims))
    return statistics[0], statistics[1]


def _synchronized(x, statistics, axes, keepdims):
    mean, variance = statistics[0], statistics[1]
    count = _count(x, axes)
    if not isinstance(count, int):
        count = ops.sum(ops.ones_like(x), axis=axes, keepdims=keepdims)
    count = ops.cast(count, mean.dtype) * ops.ones_like(mean)
    totals = allreduce(ops.stack([count, count * mean, count * (variance + ops.square(mean))]), op="sum")
    global_mean = totals[1] / totals[0]
    return global_mean, ops.maximum(totals[2] / totals[0] - ops.square(global_mean), 0.0)  # never below 0 by rounding


def _along_axis(vector, axis, ndim):
    """A per-channel vector shaped to broadcast along `axis` of a rank-`ndim` array."""
    return vector.reshape(tuple(-1 if i == axis else 1 for i in range(ndim)))


def _batch_norm_forward(xp, x, mean, variance, offset, scale, axis, epsilon):
    inverse = scale / xp.sqrt(variance + epsilon)
    shift = offset - mean * inverse
    y = x * _along_axis(inverse, axis, x.ndim)
    y += _along_axis(shift, axis, x.ndim)
    return y


def _batch_norm_vjp(g, inputs, output, needs, axis, epsilon):
    x, mean, variance, offset, scale = inputs
    ndim = len(g.shape)
    others = tuple(i for i in range(ndim) if i != axis)

    def along(vector):
        return vector if axis == ndim - 1 else ops.reshape(vector, tuple(-1 if i == axis else 1 for i in range(ndim)))

    root = ops.sqrt(variance + epsilon)
    d_offset = ops.sum(g, axis=others)
    d_x = g * along(scale / root) if needs[0] else None
    d_mean = -d_offset * scale / root if needs[1] else None
    if needs[2] or needs[4]:
        centred = ops.sum(g * (x - along(mean)), axis=others)
        d_variance = -0.5 * centred * scale / (root * (variance + epsilon)) if needs[2] else None
        d_scale = centred / root if needs[4] else None
    else:
        d_variance = d_scale = None
    return d_x, d_mean, d_variance, d_offset if needs[3] else None, d_scale


def _batch_norm_infer(shapes, dtypes, axis, epsilon):
    shape = tuple(shapes[0])
    for name, vector in zip(("mean", "variance", "offset", "scale"), shapes[1:]):
        if len(vector) and tuple(vector) != (shape[axis],) and None not in (shape[axis], *vector):
            raise ValueError(
                f"batch_normalization: argument `{name}` must be a vector of length "
                f"`x.shape[axis]`. Expected: `{(shape[axis],)}`. Received: `{tuple(vector)}`."
            )
    return shape, dtypes[0]


_batch_normalization = primitive(
    "batch_normalization", _batch_norm_forward, _batch_norm_vjp, _batch_norm_infer, saves=(0, 1, 2, 4)
)


@export
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the statistics laid along `axis`."""
    axis = normalize_axis("batch_normalization", axis, len(shape_of(x)))[0]
    return _batch_normalization(
        x,
        mean,
        variance,
        0.0 if offset is None else offset,
        1.0 if scale is None else scale,
        axis=axis,
        epsilon=float(epsilon),
    )


def _broadcast_parameter(value, shape, axes):
    """gamma/beta of shape x.shape[axes] reshaped to broadcast against x (as Keras does)."""
    if value is None or len(shape_of(value)) == len(shape) or axes == (len(shape) - 1,):
        return value
    return ops.reshape(value, tuple(shape[i] if i in axes else 1 for i in range(len(shape))))


@export
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalise over `axis` (int or ints), then scale by gamma and shift by beta."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    shape = shape_of(x)
    axes = normalize_axis("layer_normalization", axis, len(shape))
    mean, variance = moments(x, axes, keepdims=True)
    inverse = 1.0 / ops.sqrt(variance + epsilon)
    gamma, beta = _broadcast_parameter(gamma, shape, axes), _broadcast_parameter(beta, shape, axes)
    if gamma is not None:
        inverse = inverse * gamma
    shift = -mean * inverse
    if beta is not None:
        shift = shift + beta
    return x * inverse + shift


@export
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x ** 2) + epsilon) over `axis`, times `scale`."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = normalize_axis("rms_normalization", axis, len(shape_of(x)))
    outputs = x / ops.sqrt(ops.mean(ops.square(x), axis=axes, keepdims=True) + epsilon)
    return outputs if scale is None else outputs * scale
