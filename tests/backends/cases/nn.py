"""Cases for the neural-network ops: convolutions, pooling, softmax, crossentropies, normalisation.

References are written naively (explicit loops over output pixels and kernel taps) on tiny inputs,
channels-last; channels-first cases transpose around the same reference.
"""

import itertools
import math

import numpy

from kerasish import ops
from kerasish.backends.primitives import PRIMITIVES
from kerasish.backends.primitives.convolution import biased_conv
from kerasish.backends.primitives.normalization import fused_batch_normalization
from kerasish.backends.primitives.softmax import softmax_gradient

from . import Case, randn, rng


def _same_pads(spatial, kernel_size, strides, dilation):
    pads = []
    for size, k, s, d in zip(spatial, kernel_size, strides, dilation):
        reach = (k - 1) * d + 1
        total = max((-(-size // s) - 1) * s + reach - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _tuple(value, rank):
    return (value,) * rank if isinstance(value, int) else tuple(value)


def conv_reference(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """Channels-last convolution by loops over output pixels and taps; groups from the kernel."""
    rank = kernel.ndim - 2
    kernel_size, strides, dilation = kernel.shape[:rank], _tuple(strides, rank), _tuple(dilation_rate, rank)
    pads = _same_pads(x.shape[1:-1], kernel_size, strides, dilation) if padding == "same" else [(0, 0)] * rank
    padded = numpy.pad(x, [(0, 0), *pads, (0, 0)])
    groups = x.shape[-1] // kernel.shape[-2]
    per_group, filters = kernel.shape[-2], kernel.shape[-1]
    out = [(p - (k - 1) * d - 1) // s + 1 for p, k, s, d in zip(padded.shape[1:-1], kernel_size, strides, dilation)]
    result = numpy.zeros((x.shape[0], *out, filters), x.dtype)
    for position in itertools.product(*map(range, out)):
        for tap in itertools.product(*map(range, kernel_size)):
            pixel = padded[(slice(None), *(o * s + t * d for o, s, t, d in zip(position, strides, tap, dilation)))]
            for group in range(groups):
                inputs = pixel[:, group * per_group : (group + 1) * per_group]
                columns = slice(group * filters // groups, (group + 1) * filters // groups)
                result[(slice(None), *position, columns)] += inputs @ kernel[tap][:, columns]
    return result


def conv_transpose_reference(x, kernel, strides=1, padding="valid", output_padding=None, dilation_rate=1):
    """Scatter every input pixel times the kernel onto the full output, then crop as Keras does."""
    rank = kernel.ndim - 2
    kernel_size, strides, dilation = kernel.shape[:rank], _tuple(strides, rank), _tuple(dilation_rate, rank)
    output_padding = _tuple(output_padding, rank) if output_padding is not None else (None,) * rank
    spatial = x.shape[1:-1]
    full = numpy.zeros(
        (
            x.shape[0],
            *[(n - 1) * s + (k - 1) * d + 1 for n, s, k, d in zip(spatial, strides, kernel_size, dilation)],
            kernel.shape[-2],
        ),
        x.dtype,
    )
    for position in itertools.product(*map(range, spatial)):
        for tap in itertools.product(*map(range, kernel_size)):
            target = tuple(o * s + t * d for o, s, t, d in zip(position, strides, tap, dilation))
            full[(slice(None), *target)] += x[(slice(None), *position)] @ kernel[tap].T
    crops = []
    for n, k, s, d, extra in zip(spatial, kernel_size, strides, dilation, output_padding):
        reach = (k - 1) * d + 1
        if padding == "valid":
            length = (n - 1) * s + reach + (max(reach, s) - reach if extra is None else extra)
            crops.append((0, length))
        else:
            length = n * s if extra is None else (n - 1) * s + reach % 2 + extra
            total = s + reach - 2 if extra is None else reach + reach % 2 - 2 + extra
            left = min(total // 2 + total % 2, reach - 1)
            crops.append((reach - 1 - left, length))
    grown = numpy.pad(full, [(0, 0), *[(0, max(b + n - f, 0)) for (b, n), f in zip(crops, full.shape[1:-1])], (0, 0)])
    return grown[(slice(None), *[slice(b, b + n) for b, n in crops])]


def pool_reference(x, pool_size, strides, padding, reduce):
    rank = x.ndim - 2
    pool_size, strides = _tuple(pool_size, rank), _tuple(strides or pool_size, rank)
    pads = _same_pads(x.shape[1:-1], pool_size, strides, (1,) * rank) if padding == "same" else [(0, 0)] * rank
    out = [(n + b + a - k) // s + 1 for n, (b, a), k, s in zip(x.shape[1:-1], pads, pool_size, strides)]
    result = numpy.zeros((x.shape[0], *out, x.shape[-1]), x.dtype)
    for position in itertools.product(*map(range, out)):
        window = tuple(
            slice(max(o * s - b, 0), min(o * s - b + k, n))
            for o, s, (b, _), k, n in zip(position, strides, pads, pool_size, x.shape[1:-1])
        )
        result[(slice(None), *position)] = reduce(x[(slice(None), *window)], axis=tuple(range(1, rank + 1)))
    return result


def _matmul_scatter(x, weights, **geometry):
    """The windows x @ weights summed back onto the image: a convolution's input gradient, called directly."""
    return PRIMITIVES["matmul_scatter"](x, weights, **geometry)


def _matmul_scatter_reference(x, weights, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    """Each input pixel times each tap's weights, added where that tap of its window reads the image."""
    taps = list(itertools.product(*map(range, kernel_size)))
    depth = weights.shape[1] // len(taps)
    full = numpy.zeros((x.shape[0], *[n + a + b for n, (a, b) in zip(spatial_shape, pads)], depth))
    for position in itertools.product(*map(range, x.shape[1:-1])):
        for index, tap in enumerate(taps):
            pixel = tuple(o * s + t * d for o, s, t, d in zip(position, strides, tap, dilation))
            full[(slice(None), *pixel)] += x[(slice(None), *position)] @ weights[:, index * depth : (index + 1) * depth]
    image = full[(slice(None), *(slice(a, a + n) for n, (a, _) in zip(spatial_shape, pads)))]
    return _first(image) if data_format == "channels_first" else image


def _select_block_max(x, values, pool_size):
    """`values` at the first maximum of each (non-overlapping) window of `x`: max pooling's second-order
    primitive, called directly."""
    select = PRIMITIVES["select_block_max"]
    geometry = dict(pool_size=pool_size, strides=pool_size, pads=((0, 0),) * len(pool_size))
    return select(x, values, ops.max_pool(x, pool_size), **geometry, data_format="channels_last")


def _first_max_reference(x, values, pool_size):
    """values at each window's first maximum (row-major window order), windows tiling x (channels last)."""
    out = [n // k for n, k in zip(x.shape[1:-1], pool_size)]
    result = numpy.zeros((x.shape[0], *out, x.shape[-1]), values.dtype)
    for position in itertools.product(*map(range, out)):
        window = (slice(None), *(slice(o * k, (o + 1) * k) for o, k in zip(position, pool_size)))
        flat = (x[window].reshape(x.shape[0], -1, x.shape[-1]), values[window].reshape(x.shape[0], -1, x.shape[-1]))
        first = flat[0].argmax(axis=1)[:, None]  # argmax returns the first maximum
        result[(slice(None), *position)] = numpy.take_along_axis(flat[1], first, axis=1)[:, 0]
    return result


# a depthwise convolution of a (2, 5, 4, 2) image by a (3, 2, 2, 3) kernel, strides 2, "same" padding
_DEPTHWISE = dict(
    kernel_size=(3, 2), strides=(2, 2), dilation=(1, 1), pads=((1, 1), (0, 0)), data_format="channels_last"
)
_DEPTHWISE_SHAPES = ((2, 5, 4, 2), (3, 2, 2, 3))


def _depthwise_gradient(name, a, b):
    """The gradients of a depthwise convolution (`_DEPTHWISE`): its second-order primitives, called directly."""
    spatial = {"spatial_shape": _DEPTHWISE_SHAPES[0][1:3]} if name == "depthwise_input_gradient" else {}
    return PRIMITIVES[name](a, b, **spatial, **_DEPTHWISE)


def _depthwise_adjoint(a, b, wanted):
    """The gradient of <depthwise conv(image, kernel), g> in the image (wanted 0; a = g, b = kernel) or in the
    kernel (wanted 1; a = image, b = g), one basis vector at a time through the loop reference."""
    known, g = (b, a) if wanted == 0 else (a, b)
    result = numpy.zeros(_DEPTHWISE_SHAPES[wanted], a.dtype)
    for index in numpy.ndindex(result.shape):
        basis = numpy.zeros_like(result)
        basis[index] = 1
        image, kernel = (basis, known) if wanted == 0 else (known, basis)
        result[index] = numpy.vdot(conv_reference(image, kernel.reshape(3, 2, 1, 6), 2, "same"), g)
    return result


def adaptive_reference(x, output_size, reduce):
    rank = x.ndim - 2
    output_size = _tuple(output_size, rank)
    result = numpy.zeros((x.shape[0], *output_size, x.shape[-1]), x.dtype)
    for position in itertools.product(*map(range, output_size)):
        window = tuple(
            slice(i * n // o, math.ceil((i + 1) * n / o)) for i, n, o in zip(position, x.shape[1:-1], output_size)
        )
        result[(slice(None), *position)] = reduce(x[(slice(None), *window)], axis=tuple(range(1, rank + 1)))
    return result


def _first(x):
    return numpy.moveaxis(x, -1, 1)


def _last(x):
    return numpy.moveaxis(x, 1, -1)


def softmax_reference(x, axis=-1):
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_gradient_reference(p, g, axis):
    return p * (g - (g * p).sum(axis=axis, keepdims=True))


def log_softmax_reference(x, axis=-1):
    return numpy.log(softmax_reference(x, axis))


def _uniform(*shape, seed=0, low=0.1, high=0.9):
    return rng(seed).uniform(low, high, shape)


EPSILON = 1e-7


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def _binary_reference(t, p):
    p = numpy.clip(p, EPSILON, 1 - EPSILON)
    return -(t * numpy.log(p) + (1 - t) * numpy.log(1 - p))


def _categorical_reference(t, p, axis=-1):
    p = numpy.clip(p / p.sum(axis=axis, keepdims=True), EPSILON, 1 - EPSILON)
    return -(t * numpy.log(p)).sum(axis=axis)


def _one_hot_reference(labels, classes):
    return (labels[..., None] == numpy.arange(classes)).astype(numpy.float32)


def _moments_reference(x, axes):
    return x.mean(axis=axes), x.var(axis=axes)


def _batch_norm_reference(x, mean, variance, offset, scale, axis, epsilon=1e-3):
    shape = [1] * x.ndim
    shape[axis] = -1
    return (x - mean.reshape(shape)) / numpy.sqrt(variance.reshape(shape) + epsilon) * scale.reshape(
        shape
    ) + offset.reshape(shape)


def _layer_norm_reference(x, gamma, beta, axes, epsilon=EPSILON):
    mean, variance = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / numpy.sqrt(variance + epsilon) * gamma + beta


LABELS = numpy.array([[2, 0, 1], [1, 3, 3]])
# windows of an image (spatial_shape) that x holds one value per window of: (5, 4) -> (3, 2) by 3x2 taps,
# strides (2, 1), dilation (1, 2), padded; and 6x5 -> 4x3 by 3x3 taps, channels first
MATMUL_SCATTER_STRIDED = dict(
    spatial_shape=(5, 4),
    kernel_size=(3, 2),
    strides=(2, 1),
    dilation=(1, 2),
    pads=((1, 1), (0, 0)),
    data_format="channels_last",
)
MATMUL_SCATTER_CHANNELS_FIRST = dict(
    spatial_shape=(6, 5),
    kernel_size=(3, 3),
    strides=(1, 1),
    dilation=(1, 1),
    pads=((0, 0), (0, 0)),
    data_format="channels_first",
)

CASES = [
    # convolutions
    Case(
        "windows_matmul",
        lambda x, k: ops.conv(x, k),
        [randn(2, 5, 6, 3), randn(3, 3, 3, 2, seed=1)],
        conv_reference,
        id="conv2d-valid",
        covers=("extract_patches", "scatter_patches"),
    ),
    Case(
        "windows_matmul",
        lambda x, k: ops.conv(x, k, strides=2, padding="same"),
        [randn(1, 6, 5, 2), randn(3, 3, 2, 3, seed=1)],
        lambda x, k: conv_reference(x, k, 2, "same"),
        id="conv2d-strided-same",
    ),
    Case(
        "windows_matmul",
        lambda x, k: ops.conv(x, k, padding="same", dilation_rate=2),
        [randn(1, 5, 5, 2), randn(2, 3, 2, 2, seed=1)],
        lambda x, k: conv_reference(x, k, 1, "same", 2),
        id="conv2d-dilated-same",
    ),
    Case(
        "extract_patches",
        lambda x, k: ops.conv(x, k, strides=(1, 2)),
        [randn(1, 4, 5, 4), randn(2, 2, 2, 4, seed=1)],
        lambda x, k: conv_reference(x, k, (1, 2)),
        id="conv2d-groups",
    ),
    Case(
        "windows_matmul",
        lambda x, k: ops.conv(x, k, padding="same", data_format="channels_first"),
        [randn(1, 2, 4, 5), randn(3, 3, 2, 3, seed=1)],
        lambda x, k: _first(conv_reference(_last(x), k, 1, "same")),
        id="conv2d-channels-first",
    ),
    Case(
        "windows_matmul",
        lambda x, k: ops.conv(x, k, strides=2, padding="same"),
        [randn(2, 7, 3), randn(3, 3, 2, seed=1)],
        lambda x, k: conv_reference(x, k, 2, "same"),
        id="conv1d-strided-same",
    ),
    Case(
        "windows_matmul",
        lambda x, k: ops.conv(x, k),
        [randn(2, 3, 4, 3), randn(1, 1, 3, 2, seed=1)],
        conv_reference,
        id="conv2d-pointwise",
    ),
    Case(
        "windows_matmul",
        lambda x, k, b: biased_conv(x, k, b, padding="same"),
        [randn(2, 5, 4, 3), randn(3, 3, 3, 2, seed=1), randn(2, seed=2)],
        lambda x, k, b: conv_reference(x, k, 1, "same") + b,
        id="conv2d-biased",
    ),
    Case(
        "windows_matmul",
        lambda x, k, b: biased_conv(x, k, b, data_format="channels_first"),
        [randn(1, 2, 4, 5), randn(1, 1, 2, 3, seed=1), randn(3, seed=2)],
        lambda x, k, b: _first(conv_reference(_last(x), k) + b),
        id="conv2d-pointwise-biased-channels-first",
    ),
    Case(
        "depthwise_taps",
        lambda x, k, b: biased_conv(x, k, b, padding="same"),
        [randn(1, 4, 4, 2), randn(3, 3, 1, 4, seed=1), randn(4, seed=2)],
        lambda x, k, b: conv_reference(x, k, 1, "same") + b,
        id="conv2d-grouped-biased",
    ),
    Case(
        "depthwise_taps",
        lambda x, k: ops.depthwise_conv(x, k, padding="same"),
        [randn(1, 4, 4, 2), randn(3, 3, 2, 2, seed=1)],
        lambda x, k: conv_reference(x, k.reshape(3, 3, 1, 4), 1, "same"),
        id="depthwise_conv-multiplier",
    ),
    Case(
        "depthwise_taps",
        lambda x, k: ops.depthwise_conv(x, k, strides=2, padding="same", data_format="channels_first"),
        [randn(2, 3, 5, 4), randn(3, 2, 3, 1, seed=1)],
        lambda x, k: _first(conv_reference(_last(x), k.reshape(3, 2, 1, 3), 2, "same")),
        id="depthwise_conv-strided-channels-first",
    ),
    Case(
        "depthwise_taps",
        lambda x, k: ops.depthwise_conv(x, k, padding="same", dilation_rate=2),
        [randn(2, 7, 2), randn(3, 2, 1, seed=1)],
        lambda x, k: conv_reference(x, k.reshape(3, 1, 2), 1, "same", 2),
        id="depthwise_conv1d-dilated",
    ),
    Case(
        "depthwise_taps",
        lambda x, k: ops.depthwise_conv(x, k, padding="same", dilation_rate=3),
        [randn(2, 3, 2), randn(2, 2, 1, seed=1)],
        lambda x, k: conv_reference(x, k.reshape(2, 1, 2), 1, "same", 3),
        id="depthwise_conv1d-no-tap-reaches-every-pixel",
    ),
    Case(
        "depthwise_taps",
        lambda x, k: ops.depthwise_conv(x, k, padding="same"),
        [randn(1, 2, 3, 2), randn(5, 5, 2, 1, seed=1)],
        lambda x, k: conv_reference(x, k.reshape(5, 5, 1, 2), 1, "same"),
        id="depthwise_conv-kernel-wider-than-the-image",
    ),
    Case(
        "depthwise_input_gradient",
        lambda g, k: _depthwise_gradient("depthwise_input_gradient", g, k),
        [randn(2, 3, 2, 6), randn(3, 2, 2, 3, seed=1)],
        lambda g, k: _depthwise_adjoint(g, k, 0),
        id="depthwise_input_gradient",
    ),
    Case(
        "depthwise_kernel_gradient",
        lambda x, g: _depthwise_gradient("depthwise_kernel_gradient", x, g),
        [randn(2, 5, 4, 2), randn(2, 3, 2, 6, seed=1)],
        lambda x, g: _depthwise_adjoint(x, g, 1),
        id="depthwise_kernel_gradient",
    ),
    Case(
        "depthwise_taps",
        lambda x, d, p: ops.separable_conv(x, d, p, strides=2),
        [randn(1, 5, 5, 2), randn(2, 2, 2, 1, seed=1), randn(1, 1, 2, 3, seed=2)],
        lambda x, d, p: conv_reference(conv_reference(x, d.reshape(2, 2, 1, 2), 2), p),
        id="separable_conv",
    ),
    Case(
        "scatter_patches",
        lambda x, k: ops.conv_transpose(x, k),
        [randn(1, 3, 4, 2), randn(3, 3, 3, 2, seed=1)],
        conv_transpose_reference,
        id="conv_transpose-valid",
    ),
    Case(
        "scatter_patches",
        lambda x, k: ops.conv_transpose(x, k, strides=2, padding="same"),
        [randn(1, 3, 3, 2), randn(3, 3, 2, 2, seed=1)],
        lambda x, k: conv_transpose_reference(x, k, 2, "same"),
        id="conv_transpose-strided-same",
    ),
    Case(
        "scatter_patches",
        lambda x, k: ops.conv_transpose(x, k, strides=(2, 3), output_padding=1),
        [randn(1, 2, 3, 2), randn(2, 3, 2, 2, seed=1)],
        lambda x, k: conv_transpose_reference(x, k, (2, 3), "valid", 1),
        id="conv_transpose-output-padding",
    ),
    Case(
        "scatter_patches",
        lambda x, k: ops.conv_transpose(
            x, k, padding="same", output_padding=0, data_format="channels_first", dilation_rate=2
        ),
        [randn(1, 2, 3, 3), randn(2, 2, 1, 2, seed=1)],
        lambda x, k: _first(conv_transpose_reference(_last(x), k, 1, "same", 0, 2)),
        id="conv_transpose-channels-first-dilated",
    ),
    Case(
        "scatter_patches",
        lambda x, k: ops.conv_transpose(x, k, strides=3, padding="same"),
        [randn(2, 3, 2), randn(2, 1, 2, seed=1)],
        lambda x, k: conv_transpose_reference(x, k, 3, "same"),
        id="conv_transpose1d-same",
    ),
    Case(
        "matmul_scatter",
        lambda x, w: _matmul_scatter(x, w, **MATMUL_SCATTER_STRIDED),
        [randn(2, 3, 2, 3), randn(3, 6 * 2, seed=1)],
        lambda x, w: _matmul_scatter_reference(x, w, **MATMUL_SCATTER_STRIDED),
        id="matmul_scatter-strided-dilated-padded",
    ),
    Case(
        "matmul_scatter",
        lambda x, w: _matmul_scatter(x, w, **MATMUL_SCATTER_CHANNELS_FIRST),
        [randn(3, 4, 3, 2), randn(2, 9 * 3, seed=1)],
        lambda x, w: _matmul_scatter_reference(x, w, **MATMUL_SCATTER_CHANNELS_FIRST),
        id="matmul_scatter-stride-1-channels-first",
    ),
    # pooling
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 2, strides=1),
        [randn(2, 4, 5, 3)],
        lambda x: pool_reference(x, 2, 1, "valid", numpy.max),
        id="max_pool-valid-overlapping",
        covers=("spread_block_max",),
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 3, strides=2, padding="same"),
        [randn(1, 5, 6, 2)],
        lambda x: pool_reference(x, 3, 2, "same", numpy.max),
        id="max_pool-same",
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 2, padding="same"),
        [randn(1, 5, 4, 2)],
        lambda x: pool_reference(x, 2, None, "same", numpy.max),
        id="max_pool-same-padded-not-blocks",
    ),
    # non-overlapping max pooling (strides == pool_size, no padding)
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 2),
        [randn(2, 4, 5, 3)],
        lambda x: pool_reference(x, 2, None, "valid", numpy.max),
        id="max_pool-valid",
        covers=("spread_block_max",),
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, (2, 3), data_format="channels_first"),
        [randn(2, 3, 5, 7)],
        lambda x: _first(pool_reference(_last(x), (2, 3), None, "valid", numpy.max)),
        id="max_pool-blocks-channels-first-cropped",
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 3, padding="same"),
        [randn(2, 6, 2)],
        lambda x: pool_reference(x, 3, None, "same", numpy.max),
        id="max_pool1d-blocks-same-unpadded",
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, (2, 1, 2), strides=(2, 1, 2)),
        [randn(1, 4, 3, 5, 2)],
        lambda x: pool_reference(x, (2, 1, 2), None, "valid", numpy.max),
        id="max_pool3d-blocks",
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 2),
        [numpy.maximum(numpy.round(randn(2, 4, 6, 3)), 0)],
        lambda x: pool_reference(x, 2, None, "valid", numpy.max),
        grad=False,
        id="max_pool-blocks-ties",
    ),
    Case(
        "select_block_max",
        lambda x, v: _select_block_max(x, v, (2, 3)),
        [randn(2, 5, 7, 2), randn(2, 5, 7, 2, seed=1)],
        lambda x, v: _first_max_reference(x, v, (2, 3)),
        id="select_block_max",
    ),
    Case(
        "select_block_max",
        lambda x, v: _select_block_max(x, v, (2, 2)),
        [numpy.maximum(numpy.round(randn(1, 4, 4, 3)), 0), randn(1, 4, 4, 3, seed=1)],
        lambda x, v: _first_max_reference(x, v, (2, 2)),
        grad=False,
        id="select_block_max-ties",
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, (2, 3), strides=1, data_format="channels_first"),
        [randn(1, 2, 3, 4)],
        lambda x: _first(pool_reference(_last(x), (2, 3), 1, "valid", numpy.max)),
        id="max_pool-channels-first",
    ),
    Case(
        "block_max",
        lambda x: ops.max_pool(x, 3, strides=2, padding="same"),
        [randn(2, 7, 2)],
        lambda x: pool_reference(x, 3, 2, "same", numpy.max),
        id="max_pool1d-same",
    ),
    Case(
        "mean",
        lambda x: ops.average_pool(x, 2, strides=1),
        [randn(1, 3, 4, 2)],
        lambda x: pool_reference(x, 2, 1, "valid", numpy.mean),
        id="average_pool-valid",
    ),
    Case(
        "mean",
        lambda x: ops.average_pool(x, 3, strides=2, padding="same"),
        [randn(2, 5, 4, 2)],
        lambda x: pool_reference(x, 3, 2, "same", numpy.mean),
        id="average_pool-same-excludes-padding",
    ),
    Case(
        "mean",
        lambda x: ops.average_pool(x, 2, padding="same", data_format="channels_first"),
        [randn(1, 2, 5, 3)],
        lambda x: _first(pool_reference(_last(x), 2, None, "same", numpy.mean)),
        id="average_pool-channels-first",
    ),
    Case(
        "take",
        lambda x: ops.adaptive_average_pool(x, (2, 3)),
        [randn(2, 5, 7, 2)],
        lambda x: adaptive_reference(x, (2, 3), numpy.mean),
        id="adaptive_average_pool",
    ),
    Case(
        "take",
        lambda x: ops.adaptive_average_pool(x, 3, data_format="channels_first"),
        [randn(1, 2, 7, 4)],
        lambda x: _first(adaptive_reference(_last(x), 3, numpy.mean)),
        id="adaptive_average_pool-channels-first",
    ),
    Case(
        "take",
        lambda x: ops.adaptive_average_pool(x, 4),
        [randn(1, 4, 2)],
        lambda x: adaptive_reference(x, 4, numpy.mean),
        id="adaptive_average_pool1d-identity",
    ),
    Case(
        "take",
        lambda x: ops.adaptive_max_pool(x, (3, 2)),
        [randn(2, 5, 6, 2)],
        lambda x: adaptive_reference(x, (3, 2), numpy.max),
        id="adaptive_max_pool",
    ),
    Case(
        "take",
        lambda x: ops.adaptive_max_pool(x, (4, 3), data_format="channels_first"),
        [randn(1, 2, 6, 7)],
        lambda x: _first(adaptive_reference(_last(x), (4, 3), numpy.max)),
        id="adaptive_max_pool-channels-first",
    ),
    # softmax and crossentropies
    Case("softmax", ops.softmax, [randn(3, 4) * 3], softmax_reference),
    Case(
        "softmax",
        lambda x: ops.softmax(x, axis=(0, 2)),
        [randn(2, 3, 2)],
        lambda x: softmax_reference(x, (0, 2)),
        id="softmax-axes",
    ),
    Case(
        "softmax",
        ops.softmax,
        [numpy.array([[1000.0, 0.0, -1000.0]])],
        softmax_reference,
        grad=False,
        id="softmax-large-logits",
    ),
    Case(  # softmax's gradient, differentiated again (both inputs): its own rule, second order for softmax
        "softmax_gradient",
        lambda p, g: softmax_gradient(p, g, axis=-1),
        [softmax_reference(randn(3, 5, seed=1)), randn(3, 5, seed=2)],
        lambda p, g: softmax_gradient_reference(p, g, -1),
    ),
    Case(
        "softmax_gradient",
        lambda p, g: softmax_gradient(p, g, axis=(0, 2)),
        [softmax_reference(randn(2, 3, 2, seed=3), (0, 2)), randn(2, 3, 2, seed=4)],
        lambda p, g: softmax_gradient_reference(p, g, (0, 2)),
        id="softmax_gradient-axes",
    ),
    Case("log_softmax", lambda x: ops.log_softmax(x, axis=0), [randn(3, 4) * 3], lambda x: log_softmax_reference(x, 0)),
    Case(
        "log_softmax",
        ops.log_softmax,
        [numpy.array([[500.0, 0.0, -500.0]])],
        lambda x: numpy.array([[0.0, -500.0, -1000.0]]),
        grad=False,
        id="log_softmax-large-logits",
    ),
    Case(
        "softmax_crossentropy",
        lambda t, x: ops.categorical_crossentropy(t, x, from_logits=True),
        [_uniform(3, 4), randn(3, 4, seed=1) * 3],
        lambda t, x: -(t * log_softmax_reference(x)).sum(axis=-1),
        id="categorical_crossentropy-logits",
    ),
    Case(
        "softmax_crossentropy",
        lambda t, x: ops.categorical_crossentropy(t, x, from_logits=True, axis=0),
        [_uniform(3, 2), randn(3, 2, seed=1)],
        lambda t, x: -(t * log_softmax_reference(x, 0)).sum(axis=0),
        id="categorical_crossentropy-logits-axis",
    ),
    Case(
        "log",
        ops.categorical_crossentropy,
        [_uniform(3, 4), _uniform(3, 4, seed=1)],
        _categorical_reference,
        id="categorical_crossentropy-probabilities",
    ),
    Case(
        "sparse_softmax_crossentropy",
        lambda t, x: ops.sparse_categorical_crossentropy(t, x, from_logits=True),
        [LABELS, randn(2, 3, 4, seed=1)],
        lambda t, x: -(_one_hot_reference(t, 4) * log_softmax_reference(x)).sum(axis=-1),
        id="sparse_categorical_crossentropy-logits",
    ),
    Case(
        "one_hot",
        ops.sparse_categorical_crossentropy,
        [LABELS[0][:, None], _uniform(3, 4, seed=1)],
        lambda t, x: _categorical_reference(_one_hot_reference(t[:, 0], 4), x),
        id="sparse_categorical_crossentropy-probabilities",
    ),
    Case(
        "sigmoid_crossentropy",
        lambda t, x: ops.binary_crossentropy(t, x, from_logits=True),
        [_uniform(3, 4), randn(3, 4, seed=1) * 4],
        lambda t, x: _binary_reference(t, _sigmoid(x)),
        id="binary_crossentropy-logits",
    ),
    Case(
        "sigmoid_crossentropy",
        lambda t, x: ops.binary_crossentropy(t, x, from_logits=True),
        [numpy.array([1.0, 0.0]), numpy.array([-200.0, 200.0])],
        lambda t, x: numpy.array([200.0, 200.0]),
        grad=False,
        id="binary_crossentropy-large-logits",
    ),
    Case(
        "clip",
        ops.binary_crossentropy,
        [_uniform(3, 4), _uniform(3, 4, seed=1)],
        _binary_reference,
        id="binary_crossentropy-probabilities",
    ),
    Case(
        "one_hot",
        lambda t: ops.one_hot(t, 4),
        [numpy.array([[0, 3], [-1, 2]])],
        lambda t: _one_hot_reference(t, 4),
        grad=False,
    ),
    Case(
        "one_hot",
        lambda t: ops.one_hot(t, 3, axis=0),
        [numpy.array([2, 0])],
        lambda t: _one_hot_reference(t, 3).T,
        grad=False,
        id="one_hot-axis",
    ),
    # normalisation
    Case(
        "moments",
        lambda x: ops.moments(x, axes=(0, 1))[0],
        [randn(3, 2, 4)],
        lambda x: _moments_reference(x, (0, 1))[0],
        id="moments-mean",
    ),
    Case(
        "moments",
        lambda x: ops.moments(x, axes=[0, 2], keepdims=True)[1],
        [randn(3, 2, 4)],
        lambda x: x.var(axis=(0, 2), keepdims=True),
        id="moments-variance",
    ),
    Case(
        "moments",
        lambda x: ops.add(*ops.moments(x, axes=-1)),
        [randn(3, 4) + 5],
        lambda x: x.mean(axis=-1) + x.var(axis=-1),
        id="moments-both",
    ),
    Case(
        "batch_normalization",
        lambda x, m, v, o, s: ops.batch_normalization(x, m, v, axis=1, offset=o, scale=s),
        [randn(2, 3, 2), randn(3, seed=1), _uniform(3, seed=2), randn(3, seed=3), randn(3, seed=4)],
        lambda x, m, v, o, s: _batch_norm_reference(x, m, v, o, s, 1),
        id="batch_normalization",
    ),
    Case(
        "batch_normalization",
        lambda x: ops.batch_normalization(x, *ops.moments(x, axes=(0, 1, 2)), axis=-1),
        [randn(2, 2, 3, 2)],
        lambda x: _batch_norm_reference(
            x, x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2)), numpy.zeros(2), numpy.ones(2), -1
        ),
        id="batch_normalization-batch-statistics",
    ),
    Case(
        "batch_normalization_training",
        lambda x, o, s: fused_batch_normalization(x, -1, offset=o, scale=s)[0],
        [randn(2, 2, 3, 2) * 2 + 1, randn(2, seed=1), randn(2, seed=2)],
        lambda x, o, s: _batch_norm_reference(x, x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2)), o, s, -1),
        id="batch_normalization_training",
        covers=("centred_sums", "combine_channels"),
    ),
    Case(
        "batch_normalization_training",
        lambda x, s: fused_batch_normalization(x, 1, scale=s)[0],
        [randn(3, 2, 2, 2) - 3, randn(2, seed=1)],
        lambda x, s: _batch_norm_reference(x, x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3)), numpy.zeros(2), s, 1),
        id="batch_normalization_training-channels-first",
    ),
    Case(
        "batch_normalization_training",
        lambda x: ops.add(*fused_batch_normalization(x, 0)[1:]),
        [randn(3, 4) + 2],
        lambda x: x.mean(axis=1) + x.var(axis=1),
        id="batch_normalization_training-statistics",
    ),
    Case(
        "centred_sums",
        lambda g, x, m: PRIMITIVES["centred_sums"](g, x, m, axis=1),
        [randn(2, 3, 2, seed=1), randn(2, 3, 2, seed=2), randn(3, seed=3)],
        lambda g, x, m: numpy.stack([g.sum(axis=(0, 2)), (g * (x - m[:, None])).sum(axis=(0, 2))]),
        id="centred_sums",
    ),
    Case(
        "combine_channels",
        lambda g, x, a, b, c: PRIMITIVES["combine_channels"](g, x, a, b, c, axis=2),
        [randn(2, 2, 3, seed=1), randn(2, 2, 3, seed=2), randn(3, seed=3), randn(3, seed=4), randn(3, seed=5)],
        lambda g, x, a, b, c: g * a + x * b + c,
        id="combine_channels",
    ),
    Case(
        "layer_normalization",
        lambda x, g, b: ops.layer_normalization(x, g, b, axis=-1),
        [randn(3, 4), randn(4, seed=1), randn(4, seed=2)],
        lambda x, g, b: _layer_norm_reference(x, g, b, -1),
        id="layer_normalization",
        covers=("layer_normalization_gradient",),
    ),
    Case(
        "layer_normalization",
        lambda x, g: ops.layer_normalization(x, g, axis=(1, 2), epsilon=1e-3),
        [randn(2, 3, 2), randn(3, 2, seed=1)],
        lambda x, g: _layer_norm_reference(x, g, 0.0, (1, 2), 1e-3),
        id="layer_normalization-axes",
    ),
    Case(
        "square",
        lambda x, s: ops.rms_normalization(x, s),
        [randn(3, 4), randn(4, seed=1)],
        lambda x, s: x / numpy.sqrt((x**2).mean(axis=-1, keepdims=True) + EPSILON) * s,
        id="rms_normalization",
    ),
]
