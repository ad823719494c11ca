"""Convolutions as Keras's `ops.conv`, `depthwise_conv`, `separable_conv` and `conv_transpose`.

Each is composed from the window primitives and one (grouped) matmul: conv takes the input's windows
and multiplies them by the kernel; conv_transpose multiplies first and sums the windows back onto
the output grid. Gradients and gradients of gradients follow from those pieces. The common case, one
group, is the primitive `windows_matmul`, whose gradient takes the windows again from the input
rather than keeping them: a 3x3 convolution's windows are nine times its input, and keeping them for
the kernel's gradient is what made a ResNet's training memory several times torch's. A depthwise
convolution (one input channel per group) has no product for BLAS: it is the primitive
`depthwise_taps`, a multiply-accumulate per kernel tap with no window copy. Kernels are laid
out like Keras: conv `(*kernel_size, in_channels / groups, filters)`, conv_transpose
`(*kernel_size, filters, in_channels)`; cross-correlation, never flipped.
"""

import functools
import math

from .. import config
from ..kernels import depthwise, patches, row_blocks
from .linalg import bfloat16_through_float32
from .registry import describe, export, ops, primitive, result_dtype, shape_of
from .windows import (
    channels,
    channels_last,
    extract_patches,
    image_channels_last,
    known_spatial,
    matmul_scatter,
    padding_mode,
    scatter_patches,
    spatial_shape,
    spatial_tuple,
    to_data_format,
    window_geometry,
)


def _ranks(op, shape, kernel_shape):
    rank = len(kernel_shape) - 2
    if rank < 1 or len(shape) != rank + 2:
        raise ValueError(
            f"{op}: a kernel of shape {kernel_shape} needs an input of rank {max(rank, 1) + 2} "
            f"(batch, {max(rank, 1)} spatial axes, channels), got input shape {shape}"
        )
    return rank


def _is_reshape(geometry):
    """A 1x1 stride-1 window over channels-last input: its windows are a reshape of the input."""
    return (
        set(geometry["kernel_size"]) == {1}
        and set(geometry["strides"]) == {1}
        and geometry["data_format"] == "channels_last"
    )


def _windows_of(inputs, geometry):
    """The input's windows, channels last."""
    if _is_reshape(geometry):
        shape = shape_of(inputs)
        return ops.reshape(inputs, (-1, *shape[1:-1], *geometry["kernel_size"], shape[-1]))
    return extract_patches(inputs, pad_value=0.0, **geometry)


@bfloat16_through_float32
def _windows_matmul_forward(xp, x, kernel, *bias, kernel_size, strides, dilation, pads, data_format, finish=None):
    """windows(x) @ kernel (+ bias, added in the product's result block by block over a tile of it), then
    `finish` on the blocks."""
    x = image_channels_last(xp, x, data_format)
    if bias:
        added = row_blocks.Tiled(xp, functools.partial(row_blocks.add, xp), bias)
        finish = added if finish is None else functools.partial(_in_turn, added, finish)
    return patches.product(xp, x, kernel, kernel_size, strides, dilation, pads, finish)


def _in_turn(first, then, rows):
    first(rows)
    then(rows)


def _input_gradient(g, x, kernel, geometry):
    """The input gradient of windows(x) @ kernel. Windows that are the image (1x1, stride 1, channels last):
    `g @ kernelᵀ`, reshaped. Stride 1 and no more filters than channels: a convolution of
    the output gradient with the flipped kernel (its input and output channels swapped), one windows_matmul
    that copies the gradient's windows once (with more filters, those windows outgrow the image's). Otherwise
    `matmul_scatter`: the gradient's windows `g @ kernelᵀ` summed back onto the image, a few images and taps at a
    time, without those windows in full (for stride s, one add onto 1/s² of the image per tap)."""
    data_format = geometry["data_format"]
    rank, depth = len(geometry["kernel_size"]), channels(shape_of(x), data_format)
    filters = shape_of(kernel)[1]
    if _is_reshape(geometry):
        rows = ops.matmul(ops.reshape(g, (-1, filters)), ops.transpose(kernel))
        return ops.reshape(rows, (-1, *shape_of(x)[1:]))
    window = (geometry["kernel_size"], geometry["strides"], geometry["dilation"], geometry["pads"])
    pads = patches.transposed_pads(*window) if filters <= depth else None
    if pads is not None:
        taps = ops.reshape(kernel, (*geometry["kernel_size"], depth, filters))
        flipped = ops.transpose(ops.flip(taps, axis=tuple(range(rank))), (*range(rank), rank + 1, rank))
        flipped = ops.reshape(flipped, (-1, depth))
        transposed = dict(geometry, pads=pads, data_format="channels_last")
        return to_data_format(windows_matmul(g, flipped, **transposed), rank, data_format)
    return matmul_scatter(g, ops.transpose(kernel), spatial_shape=spatial_shape(shape_of(x), data_format), **geometry)


def _windows_matmul_vjp(g, inputs, output, needs, **geometry):
    x, kernel = inputs[:2]
    x_grad = kernel_grad = None
    bias_grad = ops.sum(g, axis=tuple(range(len(shape_of(g)) - 1))) if len(inputs) == 3 and needs[2] else None
    if needs[0]:
        x_grad = _input_gradient(g, x, kernel, geometry)
    if needs[1]:
        rows = ops.reshape(g, (-1, shape_of(kernel)[1]))
        windows = ops.reshape(_windows_of(x, geometry), (-1, shape_of(kernel)[0]))
        kernel_grad = ops.matmul(ops.transpose(windows), rows)
    return (x_grad, kernel_grad, bias_grad)[: len(inputs)]


def _windows_matmul_infer(shapes, dtypes, **geometry):
    (windows, dtype), kernel = extract_patches.infer(shapes[:1], dtypes[:1], pad_value=0.0, **geometry), shapes[1]
    rank = len(geometry["kernel_size"])
    depth = None if None in windows[1 + rank :] else math.prod(windows[1 + rank :])
    if len(kernel) != 2 or None not in (depth, kernel[0]) and depth != kernel[0]:
        raise ValueError(
            f"windows_matmul: windows of {depth} values (kernel size {geometry['kernel_size']} times "
            f"{windows[-1]} channels) cannot multiply a kernel of shape {tuple(kernel)}; shapes "
            f"{describe(shapes)}"
        )
    if len(shapes) == 3 and (
        len(shapes[2]) != 1 or None not in (shapes[2][0], kernel[1]) and shapes[2][0] != kernel[1]
    ):
        raise ValueError(
            f"windows_matmul: the bias must hold one value per filter, shape ({kernel[1]},); shapes {describe(shapes)}"
        )
    return (*windows[: 1 + rank], kernel[1]), dtype


windows_matmul = primitive(
    "windows_matmul", _windows_matmul_forward, _windows_matmul_vjp, _windows_matmul_infer, saves=(0, 1), epilogue=True
)


@bfloat16_through_float32
def _depthwise_forward(xp, x, kernel, kernel_size, strides, dilation, pads, data_format):
    x = image_channels_last(xp, x, data_format)
    return depthwise.forward(xp, x, kernel, kernel_size, strides, dilation, pads)


def _depthwise_vjp(g, inputs, output, needs, **geometry):
    x, kernel = inputs
    spatial = spatial_shape(shape_of(x), geometry["data_format"])
    x_grad = depthwise_input_gradient(g, kernel, spatial_shape=spatial, **geometry) if needs[0] else None
    kernel_grad = depthwise_kernel_gradient(x, g, **geometry) if needs[1] else None
    return x_grad, kernel_grad


def _depthwise_infer(shapes, dtypes, **geometry):
    windows, _ = extract_patches.infer(shapes[:1], dtypes[:1], pad_value=0.0, **geometry)
    kernel, rank = tuple(shapes[1]), len(geometry["kernel_size"])
    if (
        len(kernel) != rank + 2
        or kernel[:rank] != geometry["kernel_size"]
        or None not in (windows[-1], kernel[-2])
        and (windows[-1] != kernel[-2])
    ):
        raise ValueError(
            f"depthwise_taps: an input of {windows[-1]} channels and kernel size {geometry['kernel_size']} need a "
            f"kernel of shape (*kernel_size, channels, multiplier); shapes {describe(shapes)}"
        )
    filters = None if None in kernel[-2:] else kernel[-2] * kernel[-1]
    return (*windows[: 1 + rank], filters), result_dtype(*dtypes)


depthwise_taps = primitive("depthwise_taps", _depthwise_forward, _depthwise_vjp, _depthwise_infer, saves=(0, 1))


@bfloat16_through_float32
def _depthwise_input_gradient_forward(xp, g, kernel, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    image = depthwise.input_gradient(xp, g, kernel, spatial_shape, kernel_size, strides, dilation, pads)
    return xp.moveaxis(image, -1, 1) if data_format == "channels_first" else image


def _depthwise_input_gradient_vjp(h, inputs, output, needs, spatial_shape, **geometry):
    g, kernel = inputs
    g_grad = depthwise_taps(h, kernel, **geometry) if needs[0] else None
    kernel_grad = depthwise_kernel_gradient(h, g, **geometry) if needs[1] else None
    return g_grad, kernel_grad


def _depthwise_input_gradient_infer(shapes, dtypes, spatial_shape, data_format, **geometry):
    batch, depth = shapes[0][0], shapes[1][-2]
    shape = (batch, depth, *spatial_shape) if data_format == "channels_first" else (batch, *spatial_shape, depth)
    return shape, result_dtype(*dtypes)


depthwise_input_gradient = primitive(
    "depthwise_input_gradient",
    _depthwise_input_gradient_forward,
    _depthwise_input_gradient_vjp,
    _depthwise_input_gradient_infer,
    saves=(0, 1),
)


@bfloat16_through_float32
def _depthwise_kernel_gradient_forward(xp, x, g, kernel_size, strides, dilation, pads, data_format):
    x = image_channels_last(xp, x, data_format)
    return depthwise.kernel_gradient(xp, x, g, kernel_size, strides, dilation, pads)


def _depthwise_kernel_gradient_vjp(h, inputs, output, needs, **geometry):
    x, g = inputs
    spatial = spatial_shape(shape_of(x), geometry["data_format"])
    x_grad = depthwise_input_gradient(g, h, spatial_shape=spatial, **geometry) if needs[0] else None
    g_grad = depthwise_taps(x, h, **geometry) if needs[1] else None
    return x_grad, g_grad


def _depthwise_kernel_gradient_infer(shapes, dtypes, kernel_size, data_format, **geometry):
    depth, filters = channels(shapes[0], data_format), shapes[1][-1]
    return (*kernel_size, depth, None if None in (depth, filters) else filters // depth), result_dtype(*dtypes)


depthwise_kernel_gradient = primitive(
    "depthwise_kernel_gradient",
    _depthwise_kernel_gradient_forward,
    _depthwise_kernel_gradient_vjp,
    _depthwise_kernel_gradient_infer,
    saves=(0, 1),
)


def _grouped_matmul(windows, kernel, groups):
    """windows (batch, *out, *kernel_size, in) times kernel (*kernel_size, in / groups, filters)."""
    kernel_shape = shape_of(kernel)
    rank = len(kernel_shape) - 2
    taps, depth, filters = math.prod(kernel_shape[:rank]), kernel_shape[-2], kernel_shape[-1]
    out = shape_of(windows)[1 : 1 + rank]
    if groups == 1:  # one plain 2-D product: BLAS also serves both gradients without copies
        rows = ops.reshape(windows, (-1, taps * depth))
        return ops.reshape(ops.matmul(rows, ops.reshape(kernel, (taps * depth, filters))), (-1, *out, filters))
    rows = ops.transpose(ops.reshape(windows, (-1, taps, groups, depth)), (2, 0, 1, 3))
    rows = ops.reshape(rows, (groups, -1, taps * depth))
    weights = ops.transpose(ops.reshape(kernel, (taps, depth, groups, filters // groups)), (2, 0, 1, 3))
    weights = ops.reshape(weights, (groups, taps * depth, filters // groups))
    result = ops.transpose(ops.matmul(rows, weights), (1, 0, 2))
    return ops.reshape(result, (-1, *out, filters))


def _groups(op, shape, kernel_shape, data_format):
    depth, per_group, filters = channels(shape, data_format), kernel_shape[-2], kernel_shape[-1]
    if depth is None or depth % per_group:
        raise ValueError(
            f"{op}: the input's {depth} channels must be a multiple of the kernel's input "
            f"channels (kernel.shape[-2] = {per_group}); input shape {shape}, kernel shape "
            f"{kernel_shape}, data_format={data_format!r}"
        )
    groups = depth // per_group
    if filters % groups:
        raise ValueError(
            f"{op}: the kernel's {filters} filters must be a multiple of the {groups} groups "
            f"(input channels {depth} / kernel.shape[-2] {per_group}); kernel shape {kernel_shape}"
        )
    return groups


def _convolve(op, inputs, kernel, strides, padding, data_format, dilation_rate, bias=None):
    data_format = config.standardize_data_format(data_format)
    shape, kernel_shape = shape_of(inputs), shape_of(kernel)
    rank = _ranks(op, shape, kernel_shape)
    groups = _groups(op, shape, kernel_shape, data_format)
    geometry = window_geometry(op, shape, kernel_shape[:rank], strides, padding, data_format, dilation_rate)
    if groups == 1:
        biases = () if bias is None else (bias,)
        result = windows_matmul(inputs, ops.reshape(kernel, (-1, kernel_shape[-1])), *biases, **geometry)
        bias = None
    elif groups > 1 and kernel_shape[-2] == 1:  # depthwise: a product per channel is too thin for BLAS
        result = depthwise_taps(
            inputs, ops.reshape(kernel, (*kernel_shape[:rank], groups, kernel_shape[-1] // groups)), **geometry
        )
    else:
        result = _grouped_matmul(_windows_of(inputs, geometry), kernel, groups)
    if bias is not None:
        result = ops.add(result, bias)
    return to_data_format(result, rank, data_format)


@export
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (cross-correlation); groups = input channels / kernel.shape[-2], as in Keras."""
    return _convolve("conv", inputs, kernel, strides, padding, data_format, dilation_rate)


def biased_conv(inputs, kernel, bias, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """conv(...) + bias (one value per filter), what a convolution layer with a bias computes (not a Keras op):
    with one group the bias is added in the product's result, block by block, instead of in a pass of its own."""
    return _convolve("conv", inputs, kernel, strides, padding, data_format, dilation_rate, bias)


@export
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Each input channel convolved with its own `multiplier` filters: kernel (*kernel_size, in, multiplier)."""
    data_format = config.standardize_data_format(data_format)
    shape, kernel_shape = shape_of(inputs), shape_of(kernel)
    rank = _ranks("depthwise_conv", shape, kernel_shape)
    if None in kernel_shape:
        raise ValueError(
            f"depthwise_conv: argument `kernel` must have a known shape (every dim), got kernel shape {kernel_shape}"
        )
    if channels(shape, data_format) != kernel_shape[-2]:
        raise ValueError(
            f"depthwise_conv: the input's channels ({channels(shape, data_format)}) must equal "
            f"kernel.shape[-2] ({kernel_shape[-2]}); input shape {shape}, kernel shape "
            f"{kernel_shape}, data_format={data_format!r}"
        )
    grouped = ops.reshape(kernel, (*kernel_shape[:rank], 1, kernel_shape[-2] * kernel_shape[-1]))
    return _convolve("depthwise_conv", inputs, grouped, strides, padding, data_format, dilation_rate)


@export
def separable_conv(
    inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None, dilation_rate=1
):
    """A depthwise convolution followed by a 1x1 convolution mixing the channels."""
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def _transpose_pads(kernel_size, stride, dilation, mode, output_padding):
    """Keras's transposed-conv geometry: (before, after) pads of the matching forward conv, output size
    offset. Mirrors keras.src.backend.common.backend_utils (the JAX conversion)."""
    reach = (kernel_size - 1) * dilation + 1
    if mode == "valid":
        extra = max(reach, stride) - reach if output_padding is None else output_padding
        left, right = reach - 1, reach - 1 + extra
    else:
        total = stride + reach - 2 if output_padding is None else reach + reach % 2 - 2 + output_padding
        left = min(total // 2 + total % 2, reach - 1)
        right = total - left
    return (reach - 1 - left, reach - 1 - right), left + right - (reach - 1)


def _output_paddings(op, output_padding, rank):
    if output_padding is None:
        return (None,) * rank
    values = (output_padding,) * rank if isinstance(output_padding, int) else tuple(output_padding)
    if len(values) != rank or not all(isinstance(v, int) and v >= 0 for v in values):
        raise ValueError(
            f"{op}: `output_padding` must be None, a non-negative int or {rank} of them, got {output_padding!r}"
        )
    return values


def _transpose_geometry(op, shape, kernel_size, strides, padding, output_padding, data_format, dilation_rate):
    """scatter_patches' attributes: the output grid and the forward conv (over it) that conv_transpose undoes."""
    rank = len(kernel_size)
    strides = spatial_tuple(op, strides, rank, "strides")
    dilation = spatial_tuple(op, dilation_rate, rank, "dilation_rate")
    mode = padding_mode(op, padding)
    spatial = known_spatial(op, shape, data_format)
    axes = [
        _transpose_pads(k, s, d, mode, p)
        for k, s, d, p in zip(kernel_size, strides, dilation, _output_paddings(op, output_padding, rank))
    ]
    out = tuple((size - 1) * s + 1 + offset for size, s, (_, offset) in zip(spatial, strides, axes))
    if min(out) < 1:
        raise ValueError(
            f"{op}: an input of shape {tuple(shape)} with kernel size {kernel_size} gives an empty output {out}"
        )
    return dict(
        spatial_shape=out,
        kernel_size=tuple(kernel_size),
        strides=strides,
        dilation=dilation,
        pads=tuple(pad for pad, _ in axes),
        data_format=data_format,
    )


@export
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1):
    """The transpose (gradient) of conv: kernel (*kernel_size, filters, in_channels) as in Keras."""
    data_format = config.standardize_data_format(data_format)
    shape, kernel_shape = shape_of(inputs), shape_of(kernel)
    rank = _ranks("conv_transpose", shape, kernel_shape)
    depth, filters = channels(shape, data_format), kernel_shape[-2]
    if depth != kernel_shape[-1]:
        raise ValueError(
            f"conv_transpose: the input's channels ({depth}) must equal kernel.shape[-1] "
            f"({kernel_shape[-1]}); input shape {shape}, kernel shape {kernel_shape}, "
            f"data_format={data_format!r}"
        )
    geometry = _transpose_geometry(
        "conv_transpose", shape, kernel_shape[:rank], strides, padding, output_padding, data_format, dilation_rate
    )
    rows = ops.reshape(channels_last(inputs, rank) if data_format == "channels_first" else inputs, (-1, depth))
    weights = ops.reshape(ops.transpose(kernel, (rank + 1, *range(rank + 1))), (depth, -1))
    windows = ops.reshape(
        ops.matmul(rows, weights), (-1, *spatial_shape(shape, data_format), *kernel_shape[:rank], filters)
    )
    return scatter_patches(windows, **geometry)
