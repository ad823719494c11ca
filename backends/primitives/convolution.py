"""Convolutions as Keras's `ops.conv`, `depthwise_conv`, `separable_conv` and `conv_transpose`.

Each is composed from the window primitives and one (grouped) matmul: conv takes the input's windows
and multiplies them by the kernel; conv_transpose multiplies first and sums the windows back onto
the output grid. Gradients and gradients of gradients follow from those pieces. The common case, one
group, is the primitive `windows_matmul`, whose gradient takes the windows again from the input
rather than keeping them: a 3x3 convolution's windows are nine times its input, and keeping them for
the kernel's gradient is what made a ResNet's training memory several times torch's. Kernels are laid
out like Keras: conv `(*kernel_size, in_channels / groups, filters)`, conv_transpose
`(*kernel_size, filters, in_channels)`; cross-correlation, never flipped.
"""

import math

from .. import config
from .linalg import bfloat16_through_float32
from .registry import describe, export, ops, primitive, shape_of
from .windows import (
    channels,
    channels_last,
    extract_patches,
    known_spatial,
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
def _windows_matmul_forward(xp, x, kernel, **geometry):
    windows = extract_patches.forward(xp, x, pad_value=0.0, **geometry)
    rows = windows.reshape(-1, kernel.shape[0])
    return (rows @ kernel).reshape(*windows.shape[: 1 + len(geometry["kernel_size"])], kernel.shape[1])


def _windows_matmul_vjp(g, inputs, output, needs, **geometry):
    x, kernel = inputs
    rows = ops.reshape(g, (-1, shape_of(kernel)[1]))
    x_grad = kernel_grad = None
    if needs[0]:
        depth = channels(shape_of(x), geometry["data_format"])
        windows = ops.reshape(
            ops.matmul(rows, ops.transpose(kernel)), (-1, *shape_of(g)[1:-1], *geometry["kernel_size"], depth)
        )
        x_grad = scatter_patches(windows, spatial_shape=spatial_shape(shape_of(x), geometry["data_format"]), **geometry)
    if needs[1]:
        windows = ops.reshape(extract_patches(x, pad_value=0.0, **geometry), (-1, shape_of(kernel)[0]))
        kernel_grad = ops.matmul(ops.transpose(windows), rows)
    return x_grad, kernel_grad


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
    return (*windows[: 1 + rank], kernel[1]), dtype


windows_matmul = primitive(
    "windows_matmul", _windows_matmul_forward, _windows_matmul_vjp, _windows_matmul_infer, saves=(0, 1)
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
    if depth == 1:  # depthwise: a product per channel is too thin for BLAS; one loop over taps and channels
        rows = ops.reshape(windows, (-1, taps, groups))
        result = ops.einsum("ntg,tgm->ngm", rows, ops.reshape(kernel, (taps, groups, filters // groups)))
        return ops.reshape(result, (-1, *out, filters))
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


def _convolve(op, inputs, kernel, strides, padding, data_format, dilation_rate):
    data_format = config.standardize_data_format(data_format)
    shape, kernel_shape = shape_of(inputs), shape_of(kernel)
    rank = _ranks(op, shape, kernel_shape)
    groups = _groups(op, shape, kernel_shape, data_format)
    geometry = window_geometry(op, shape, kernel_shape[:rank], strides, padding, data_format, dilation_rate)
    if groups == 1 and not _is_reshape(geometry):
        result = windows_matmul(inputs, ops.reshape(kernel, (-1, kernel_shape[-1])), **geometry)
    else:
        result = _grouped_matmul(_windows_of(inputs, geometry), kernel, groups)
    return to_data_format(result, rank, data_format)


@export
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (cross-correlation); groups = input channels / kernel.shape[-2], as in Keras."""
    return _convolve("conv", inputs, kernel, strides, padding, data_format, dilation_rate)


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
