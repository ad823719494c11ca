"""Normalisation ops with Keras's names: `moments`, `batch_normalization`, `layer_normalization`,
`rms_normalization`; and `fused_batch_normalization`, what BatchNormalization runs while training.

`moments` (both statistics, stacked) and `batch_normalization` are fused primitives whose gradients
reach every input, so training through `moments` is exact. `fused_batch_normalization` normalises with
the batch's own statistics (from `moments`) through `batch_normalization_training`, whose gradient is the
closed form of the whole step (dx = scale·inv_std·(g − mean(g) − x̂·mean(g·x̂))) and so already holds
what flows through the statistics: it gives them none, and reads the two sums it needs from one pass
(`centred_sums`) and builds dx in another (`combine_channels`); with the statistics and the forward that
is four passes over the activation (`kernels/channel_blocks.py`). Its rule is written in ops on the
statistics, which stay connected to x, so it differentiates again.

`layer_normalization` is the same scheme per example: `moments` (kept dims), then one primitive writing
(x − mean)·inverse·gamma + beta into one fresh array, whose dx is `layer_normalization_gradient` (the closed
form inverse·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = g·gamma, in two arrays) and which gives the statistics no
gradient. That gradient's own rule is in ops (g's gradient is the same op of the cotangent: the map is its own
transpose; x's, the mean's and the variance's are partial derivatives, `moments` adding the statistics' share),
so every order differentiates. Half precision is normalised in float32 and cast back, as Keras does. RMS
normalisation is composed from other ops.
"""

import math

import numpy

from .. import config
from ..kernels import channel_blocks
from .collective import allreduce, communicator
from .elementwise import float_dtype
from .reduction import reduced_shape, restore_axes
from .registry import (
    broadcast_shapes,
    describe,
    dtype_of,
    export,
    normalize_axis,
    ops,
    primitive,
    result_dtype,
    shape_of,
)


def _axes(axes):
    return tuple(int(a) for a in axes) if isinstance(axes, (list, tuple)) else int(axes)


_PRODUCT_DTYPES = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))
# elements of a row at most for one product: its rounding error grows with the row's length, numpy's pairwise
# sums' with its logarithm (float32 rows of 65536 were 25 ulps off, of 4096 within 3)
PRODUCT_ROW = 4096


def _row_sums(xp, a, b, axes, shape):
    """The sums of a·b (of a when b is None) over `axes`, shaped `shape` (the kept dims): over trailing axes of
    float32 or float64 rows of at most PRODUCT_ROW elements, one product of the rows (by ones when b is None),
    which reads them once with no temporary and no loop per row; half precision sums in float32, as numpy's
    mean does."""
    trailing = axes == tuple(range(a.ndim - len(axes), a.ndim))
    short = a.size and math.prod(a.shape[axis] for axis in axes) <= PRODUCT_ROW
    if not (trailing and short) or a.dtype not in _PRODUCT_DTYPES or b is not None and b.dtype != a.dtype:
        return (a if b is None else a * b).sum(axis=axes, keepdims=True, dtype=numpy.promote_types(a.dtype, "float32"))
    rows = (math.prod(shape), -1)
    if b is None:
        return (a.reshape(rows) @ xp.ones(a.size // rows[0], a.dtype)).reshape(shape)
    return xp.einsum("ij,ij->i", a.reshape(rows), b.reshape(rows)).reshape(shape)


def _moments_forward(xp, x, axes, keepdims):
    x = x.astype(float_dtype(x.dtype), copy=False)
    kept = [i for i in range(x.ndim) if i not in normalize_axis("moments", axes, x.ndim)]
    if len(kept) == 1 and kept[0] > 0:  # per channel, as batch normalisation asks: in one blocked pass
        statistics = channel_blocks.statistics(xp, x, kept[0])
        return statistics.reshape((2, *reduced_shape("moments", x.shape, axes, keepdims)))
    axes, shape = normalize_axis("moments", axes, x.ndim), reduced_shape("moments", x.shape, axes, True)
    count = math.prod(x.shape[a] for a in axes)
    mean = _row_sums(xp, x, None, axes, shape) / count
    centred = x - mean
    variance = _row_sums(xp, centred, centred, axes, shape) / count
    statistics = xp.stack([mean, variance]).astype(x.dtype, copy=False)
    return statistics.reshape((2, *reduced_shape("moments", x.shape, axes, keepdims)))


def _moments_vjp(g, inputs, output, needs, axes, keepdims):
    x = inputs[0]
    d_mean, d_variance, mean = (restore_axes(value, x, axes, keepdims) for value in (g[0], g[1], output[0]))
    count = _count(x, axes, keepdims=True)
    return ((x - mean) * (2.0 * d_variance / count) + d_mean / count,)


def _count(x, axes, keepdims):
    """How many elements each statistic gathers; counted at run time when a reduced size is unknown."""
    shape = shape_of(x)
    sizes = [shape[a] for a in normalize_axis("moments", axes, len(shape))]
    if None not in sizes:
        return math.prod(sizes)
    return ops.sum(ops.ones_like(x), axis=axes, keepdims=keepdims)


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
    count = ops.cast(_count(x, axes, keepdims), mean.dtype) * ops.ones_like(mean)
    totals = allreduce(ops.stack([count, count * mean, count * (variance + ops.square(mean))]), op="sum")
    global_mean = totals[1] / totals[0]
    return global_mean, ops.maximum(totals[2] / totals[0] - ops.square(global_mean), 0.0)  # never below 0 by rounding


def _batch_norm_coefficients(xp, mean, variance, offset, scale, axis, epsilon):
    """(scale, shift) per channel: normalising is x * scale + shift."""
    inverse = scale / xp.sqrt(variance + epsilon)
    return inverse, offset - mean * inverse


def _batch_norm_forward(xp, x, mean, variance, offset, scale, axis, epsilon):
    inverse, shift = _batch_norm_coefficients(xp, mean, variance, offset, scale, axis, epsilon)
    return channel_blocks.scale_and_shift(xp, x, inverse, shift, axis, numpy.result_type(x.dtype, inverse.dtype))


def _along(vector, axis, ndim):
    """A per-channel vector shaped to broadcast along `axis` of a rank-`ndim` tensor."""
    if axis == ndim - 1:
        return vector
    return ops.reshape(vector, tuple(-1 if i == axis else 1 for i in range(ndim)))


def _other_axes(axis, ndim):
    return tuple(i for i in range(ndim) if i != axis)


def _batch_norm_vjp(g, inputs, output, needs, axis, epsilon):
    x, mean, variance, offset, scale = inputs
    ndim = len(g.shape)
    others = _other_axes(axis, ndim)
    root = ops.sqrt(variance + epsilon)
    d_offset = ops.sum(g, axis=others)
    d_x = g * _along(scale / root, axis, ndim) if needs[0] else None
    d_mean = -d_offset * scale / root if needs[1] else None
    if needs[2] or needs[4]:
        centred = ops.sum(g * (x - _along(mean, axis, ndim)), axis=others)
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
    "batch_normalization",
    _batch_norm_forward,
    _batch_norm_vjp,
    _batch_norm_infer,
    saves=(0, 1, 2, 4),
    channel_affine=_batch_norm_coefficients,
)


def _training_vjp(g, inputs, output, needs, axis, epsilon):
    """The closed form with mean and variance the batch's own statistics of x: dx holds what flows
    through them, so they get no gradient here."""
    x, mean, variance, offset, scale = inputs
    if not (needs[0] or needs[3] or needs[4]):
        return None, None, None, None, None
    sums = _centred_sums(g, x, mean, axis=axis)
    inverse = 1.0 / ops.sqrt(variance + epsilon)
    d_scale = sums[1] * inverse
    d_x = None
    if needs[0]:
        count = _count(x, _other_axes(axis, len(g.shape)), keepdims=False)
        scaled = scale * inverse
        slope = -scaled * inverse * d_scale / count
        d_x = _combine_channels(g, x, scaled, slope, -scaled * sums[0] / count - mean * slope, axis=axis)
    return d_x, None, None, sums[0] if needs[3] else None, d_scale if needs[4] else None


_batch_normalization_training = primitive(
    "batch_normalization_training", _batch_norm_forward, _training_vjp, _batch_norm_infer, saves=(0, 1, 2, 4)
)


def _channel_pair_infer(op):
    def infer(shapes, dtypes, axis):
        g, x = (tuple(shape) for shape in shapes[:2])
        if len(g) != len(x) or any(a is not None and b is not None and a != b for a, b in zip(g, x)):
            raise ValueError(f"{op}: expected a gradient and an input of the same shape, got {g} and {x}")
        return ((2, x[axis]) if op == "centred_sums" else x), result_dtype(*dtypes[:2])

    return infer


def _centred_sums_vjp(w, inputs, output, needs, axis):
    g, x, mean = inputs
    ndim = len(shape_of(x))
    d_g = _along(w[0], axis, ndim) + (x - _along(mean, axis, ndim)) * _along(w[1], axis, ndim) if needs[0] else None
    d_x = g * _along(w[1], axis, ndim) if needs[1] else None
    return d_g, d_x, -w[1] * output[0] if needs[2] else None


_centred_sums = primitive(
    "centred_sums",
    lambda xp, g, x, mean, axis: channel_blocks.centred_sums(xp, g, x, mean, axis),
    _centred_sums_vjp,
    _channel_pair_infer("centred_sums"),
    saves=(0, 1, 2, "output"),
)


def _combine_channels_vjp(h, inputs, output, needs, axis):
    g, x, alpha, beta, gamma = inputs
    ndim = len(shape_of(x))
    others = _other_axes(axis, ndim)
    return (
        h * _along(alpha, axis, ndim) if needs[0] else None,
        h * _along(beta, axis, ndim) if needs[1] else None,
        ops.sum(h * g, axis=others) if needs[2] else None,
        ops.sum(h * x, axis=others) if needs[3] else None,
        ops.sum(h, axis=others) if needs[4] else None,
    )


_combine_channels = primitive(
    "combine_channels",
    lambda xp, g, x, alpha, beta, gamma, axis: channel_blocks.combine(
        xp, g, x, alpha, beta, gamma, axis, numpy.result_type(g.dtype, x.dtype)
    ),
    _combine_channels_vjp,
    _channel_pair_infer("combine_channels"),
    saves=(0, 1, 2, 3),
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


def fused_batch_normalization(x, axis, offset=None, scale=None, epsilon=1e-3, synchronized=False):
    """Normalise x with its own statistics over every axis but `axis` (training): (outputs, mean, variance).
    Like `batch_normalization(x, *moments(x, others), ...)` with a cheaper gradient; synchronized in a
    distributed job it is exactly that (the statistics of the global batch)."""
    axis = normalize_axis("batch_normalization", axis, len(shape_of(x)))[0]
    others = _other_axes(axis, len(shape_of(x)))
    offset, scale = 0.0 if offset is None else offset, 1.0 if scale is None else scale
    if synchronized and communicator() is not None:
        mean, variance = moments(x, others, synchronized=True)
        normalize = _batch_normalization
    else:
        statistics = _moments(x, axes=others, keepdims=False)
        mean, variance = statistics[0], statistics[1]
        normalize = _batch_normalization_training
    return normalize(x, mean, variance, offset, scale, axis=axis, epsilon=float(epsilon)), mean, variance


def _broadcast_parameter(value, shape, axes):
    """gamma/beta of shape x.shape[axes] reshaped to broadcast against x (as Keras does)."""
    if value is None or len(shape_of(value)) == len(shape) or axes == (len(shape) - 1,):
        return value
    return ops.reshape(value, tuple(shape[i] if i in axes else 1 for i in range(len(shape))))


def _layer_norm_forward(xp, x, statistics, *parameters, axes, epsilon, scaled, centered):
    mean, variance = statistics[0], statistics[1]
    outputs = xp.subtract(x, mean, dtype=numpy.result_type(x.dtype, *(value.dtype for value in parameters)))
    outputs *= 1.0 / xp.sqrt(variance + epsilon)
    if scaled:
        outputs *= parameters[0]
    if centered:
        outputs += parameters[-1]
    return outputs


def _layer_norm_vjp(g, inputs, output, needs, axes, epsilon, scaled, centered):
    """dx from `layer_normalization_gradient`, whose closed form holds what flows through the statistics (x's
    own), so they get no gradient here; gamma's and beta's are g·x̂ and g, which `backward` sums to their shapes."""
    x, statistics, *parameters = inputs
    d_x = d_gamma = None
    if needs[0]:
        gamma = parameters[:1] if scaled else ()
        d_x = _layer_normalization_gradient(g, x, statistics, *gamma, axes=axes, epsilon=epsilon)
    if scaled and needs[2]:
        d_gamma = g * ((x - statistics[0]) / ops.sqrt(statistics[1] + epsilon))
    return d_x, None, *([d_gamma] if scaled else []), *([g] if centered else [])


def _layer_norm_infer(shapes, dtypes, axes, epsilon, scaled, centered):
    shape = broadcast_shapes("layer_normalization", *shapes[:1], *shapes[2:])
    if len(shape) != len(shapes[0]) or any(
        a is not None and b is not None and a != b for a, b in zip(shape, shapes[0])
    ):
        raise ValueError(
            f"layer_normalization: gamma and beta must broadcast to the shape of x, {tuple(shapes[0])}; "
            f"received {describe(shapes[2:])}"
        )
    return shape, result_dtype(*dtypes)


def _gradient_forward(xp, g, x, statistics, *gamma, axes, epsilon):
    """inverse·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = g·gamma, x̂ = (x − mean)·inverse: ĝ·inverse − (x − mean)·
    (inverse³·mean(ĝ·(x − mean))) − inverse·mean(ĝ), in two fresh arrays."""
    mean, variance = statistics[0], statistics[1]
    inverse = 1.0 / xp.sqrt(variance + epsilon)
    dtype = numpy.result_type(g.dtype, x.dtype, *(value.dtype for value in gamma))
    centred = xp.subtract(x, mean, dtype=dtype)
    result = xp.multiply(g, gamma[0], dtype=dtype) if gamma else g.astype(dtype, copy=True)
    count = x.size // mean.size
    slope = _row_sums(xp, result, centred, axes, mean.shape) * (inverse * inverse * inverse / count)
    shift = _row_sums(xp, result, None, axes, mean.shape) * (inverse / count)
    result *= inverse
    centred *= slope
    result -= centred
    result -= shift
    return result


def _gradient_vjp(h, inputs, output, needs, axes, epsilon):
    """The map g·gamma -> dx is its own transpose, so g's gradient is this op of h (times gamma); x's, the
    mean's and the variance's are the partial derivatives (the statistics stay connected to x through `moments`,
    which adds their share)."""
    g, x, statistics, *gamma = inputs
    d_g = d_x = d_statistics = d_gamma = None
    if needs[0] or (gamma and needs[3]):
        d_scaled = _layer_normalization_gradient(h, x, statistics, axes=axes, epsilon=epsilon)
        d_g = d_scaled * gamma[0] if gamma else d_scaled
        d_gamma = d_scaled * g if gamma and needs[3] else None
    if needs[1] or needs[2]:
        inverse = 1.0 / ops.sqrt(statistics[1] + epsilon)
        normalized = (x - statistics[0]) * inverse
        scaled = g * gamma[0] if gamma else g
        d_normalized = -inverse * (
            ops.mean(scaled * normalized, axis=axes, keepdims=True) * h
            + ops.mean(h * normalized, axis=axes, keepdims=True) * scaled
        )
        d_x = d_normalized * inverse
        if needs[2]:
            d_mean = -inverse * ops.sum(d_normalized, axis=axes, keepdims=True)
            # inverse = (variance + epsilon)^-1/2 scales dx and x̂ = (x − mean)·inverse: its gradient times itself
            scaling = ops.sum(h * output, axis=axes, keepdims=True) + ops.sum(
                d_normalized * normalized, axis=axes, keepdims=True
            )
            d_statistics = ops.stack([d_mean, -0.5 * scaling * inverse * inverse])
    return d_g if needs[0] else None, d_x if needs[1] else None, d_statistics, *([d_gamma] if gamma else [])


def _gradient_infer(shapes, dtypes, axes, epsilon):
    return tuple(shapes[1]), result_dtype(*dtypes)


_layer_normalization_gradient = primitive(
    "layer_normalization_gradient", _gradient_forward, _gradient_vjp, _gradient_infer, fresh=True
)


_layer_normalization = primitive(
    "layer_normalization", _layer_norm_forward, _layer_norm_vjp, _layer_norm_infer, saves=(0, 1, 2), fresh=True
)


@export
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalise over `axis` (int or ints), then scale by gamma and shift by beta: `moments`, then one
    primitive writing (x - mean) * inverse * gamma + beta into one array. Half precision computes in
    float32 and casts the result back, as Keras does (gamma and beta are cast to the compute dtype)."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    shape = shape_of(x)
    axes = normalize_axis("layer_normalization", axis, len(shape))
    original = float_dtype(dtype_of(x))
    compute = numpy.promote_types(original, numpy.float32)
    x = ops.cast(x, compute) if dtype_of(x) != compute else x
    parameters = [
        ops.cast(value, compute) if dtype_of(value) != compute else value
        for value in (_broadcast_parameter(gamma, shape, axes), _broadcast_parameter(beta, shape, axes))
        if value is not None
    ]
    statistics = _moments(x, axes=axes, keepdims=True)
    outputs = _layer_normalization(
        x,
        statistics,
        *parameters,
        axes=axes,
        epsilon=float(epsilon),
        scaled=gamma is not None,
        centered=beta is not None,
    )
    return ops.cast(outputs, original) if original != compute else outputs


@export
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x ** 2) + epsilon) over `axis`, times `scale`."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = normalize_axis("rms_normalization", axis, len(shape_of(x)))
    outputs = x / ops.sqrt(ops.mean(ops.square(x), axis=axes, keepdims=True) + epsilon)
    return outputs if scale is None else outputs * scale
