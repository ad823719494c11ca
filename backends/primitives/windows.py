"""Sliding windows: the two primitives convolutions and pooling are built from, and their geometry.

`extract_patches` gathers every window of an input (im2col); `scatter_patches` sums windows back onto
the input grid (col2im). Each is the other's gradient, so convolutions and pools composed from them
and matmul/reductions differentiate to any order. `matmul_scatter` is `scatter_patches` of a product
`x @ weights` without the product's windows in full (a convolution's input gradient); its vjp is
`extract_patches` and two matmuls. Windows are always channels-last:
`(batch, *output_spatial, *kernel_size, channels)`; `data_format` only says how the image is laid out.
"""

import math

from ..kernels import patches
from .linalg import bfloat16_through_float32
from .registry import describe, ops, primitive, result_dtype, shape_of


def spatial_tuple(op, value, rank, what):
    """An int or a sequence of `rank` ints as a tuple; anything else is an error naming the op."""
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(
            f"{op}: `{what}` must be a positive int or {rank} positive ints for a {rank}-D input, got {value!r}"
        )
    return values


def padding_mode(op, padding):
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"{op}: `padding` must be 'valid' or 'same', got {padding!r}")
    return mode


def spatial_shape(shape, data_format):
    return tuple(shape[2:]) if data_format == "channels_first" else tuple(shape[1:-1])


def known_spatial(op, shape, data_format):
    spatial = spatial_shape(shape, data_format)
    if None in spatial:
        raise ValueError(f"{op}: the spatial size of the input must be known, got input shape {tuple(shape)}")
    return spatial


def channels(shape, data_format):
    return shape[1] if data_format == "channels_first" else shape[-1]


def channels_first(x, rank):
    """(batch, *spatial, channels) -> (batch, channels, *spatial)."""
    return ops.transpose(x, (0, rank + 1, *range(1, rank + 1)))


def channels_last(x, rank):
    return ops.transpose(x, (0, *range(2, rank + 2), 1))


def to_data_format(x, rank, data_format):
    return channels_first(x, rank) if data_format == "channels_first" else x


def window_pads(mode, spatial, kernel_size, strides, dilation, op="window"):
    """(before, after) per spatial axis; 'same' pads like TensorFlow, the odd pixel at the end.

    An unknown size (None) is fine where the padding does not depend on it: 'valid', stride 1, or a
    window of one pixel."""
    if mode == "valid":
        return ((0, 0),) * len(kernel_size)
    pads = []
    for size, k, s, d in zip(spatial, kernel_size, strides, dilation):
        reach = (k - 1) * d + 1
        if size is None and s > 1 and reach > 1:
            raise ValueError(
                f"{op}: padding='same' with strides {tuple(strides)} needs the spatial size of the "
                f"input, got spatial shape {tuple(spatial)}"
            )
        total = reach - 1 if size is None else max((math.ceil(size / s) - 1) * s + reach - size, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def output_spatial(spatial, kernel_size, strides, dilation, pads):
    return tuple(
        None if size is None else patches.output_size(size, k, s, d, pad)
        for size, k, s, d, pad in zip(spatial, kernel_size, strides, dilation, pads)
    )


def window_geometry(op, shape, kernel_size, strides, padding, data_format, dilation_rate=1):
    """extract_patches' attributes for a conv or pool with Keras's arguments over an input of `shape`."""
    rank = len(kernel_size)
    strides = spatial_tuple(op, strides, rank, "strides")
    dilation = spatial_tuple(op, dilation_rate, rank, "dilation_rate")
    spatial = spatial_shape(shape, data_format)
    pads = window_pads(padding_mode(op, padding), spatial, kernel_size, strides, dilation, op)
    out = output_spatial(spatial, kernel_size, strides, dilation, pads)
    if any(size is not None and size < 1 for size in out):
        raise ValueError(
            f"{op}: a window of size {tuple(kernel_size)} (dilation {dilation}) does not fit in the "
            f"input of shape {tuple(shape)} with padding={padding!r} (output size {out})"
        )
    return dict(kernel_size=tuple(kernel_size), strides=strides, dilation=dilation, pads=pads, data_format=data_format)


def image_channels_last(xp, x, data_format):
    """An image array channels-last: for forwards (array code), where `channels_last` is the op."""
    return xp.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def _extract_forward(xp, x, kernel_size, strides, dilation, pads, pad_value, data_format):
    return patches.extract(xp, image_channels_last(xp, x, data_format), kernel_size, strides, dilation, pads, pad_value)


def _extract_vjp(g, inputs, output, needs, kernel_size, strides, dilation, pads, pad_value, data_format):
    spatial = spatial_shape(inputs[0].shape, data_format)
    return (
        scatter_patches(
            g,
            spatial_shape=spatial,
            kernel_size=kernel_size,
            strides=strides,
            dilation=dilation,
            pads=pads,
            data_format=data_format,
        ),
    )


def _extract_infer(shapes, dtypes, kernel_size, strides, dilation, pads, pad_value, data_format):
    shape = shapes[0]
    rank = len(kernel_size)
    if len(shape) != rank + 2:
        raise ValueError(
            f"extract_patches: expected a rank-{rank + 2} input (batch, {rank} spatial axes, "
            f"channels), got shape {describe(shapes)}"
        )
    out = output_spatial(spatial_shape(shape, data_format), kernel_size, strides, dilation, pads)
    if any(size is not None and size < 1 for size in out):
        raise ValueError(
            f"extract_patches: windows of size {kernel_size} (dilation {dilation}, padding "
            f"{pads}) do not fit in an input of shape {tuple(shape)}: output size {out}"
        )
    return (shape[0], *out, *kernel_size, channels(shape, data_format)), dtypes[0]


extract_patches = primitive("extract_patches", _extract_forward, _extract_vjp, _extract_infer, saves=())


def _scatter_forward(xp, windows, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    image = patches.scatter(xp, windows, spatial_shape, kernel_size, strides, dilation, pads)
    return xp.moveaxis(image, -1, 1) if data_format == "channels_first" else image


def _scatter_vjp(g, inputs, output, needs, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    return (
        extract_patches(
            g,
            kernel_size=kernel_size,
            strides=strides,
            dilation=dilation,
            pads=pads,
            pad_value=0.0,
            data_format=data_format,
        ),
    )


def _scatter_infer(shapes, dtypes, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    shape = shapes[0]
    rank = len(kernel_size)
    expected = output_spatial(spatial_shape, kernel_size, strides, dilation, pads)
    if len(shape) != 2 * rank + 2 or any(
        got is not None and got != want
        for got, want in zip(shape[1 : 1 + 2 * rank], tuple(expected) + tuple(kernel_size))
    ):
        raise ValueError(
            f"scatter_patches: windows of shape {describe(shapes)} do not match kernel size "
            f"{kernel_size} and output size {expected} for an image of size {spatial_shape}"
        )
    batch, depth = shape[0], shape[-1]
    if data_format == "channels_first":
        return (batch, depth, *spatial_shape), dtypes[0]
    return (batch, *spatial_shape, depth), dtypes[0]


scatter_patches = primitive("scatter_patches", _scatter_forward, _scatter_vjp, _scatter_infer, saves=())


@bfloat16_through_float32
def _matmul_scatter_forward(xp, x, weights, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    image = patches.scatter_product(xp, x, weights, spatial_shape, kernel_size, strides, dilation, pads)
    return xp.moveaxis(image, -1, 1) if data_format == "channels_first" else image


def _matmul_scatter_vjp(h, inputs, output, needs, spatial_shape, **geometry):
    x, weights = inputs
    rows = ops.reshape(extract_patches(h, pad_value=0.0, **geometry), (-1, shape_of(weights)[1]))
    x_grad = ops.reshape(ops.matmul(rows, ops.transpose(weights)), (-1, *shape_of(x)[1:])) if needs[0] else None
    weights_grad = ops.matmul(ops.transpose(ops.reshape(x, (-1, shape_of(weights)[0]))), rows) if needs[1] else None
    return x_grad, weights_grad


def _matmul_scatter_infer(shapes, dtypes, spatial_shape, kernel_size, strides, dilation, pads, data_format):
    (x, weights), rank, taps = shapes, len(kernel_size), math.prod(kernel_size)
    expected = output_spatial(spatial_shape, kernel_size, strides, dilation, pads)
    if (
        len(x) != rank + 2
        or len(weights) != 2
        or any(got is not None and got != want for got, want in zip(x[1:-1], expected))
        or None not in (x[-1], weights[0])
        and x[-1] != weights[0]
        or weights[1] is not None
        and weights[1] % taps
    ):
        raise ValueError(
            f"matmul_scatter: an input of shape (batch, *{expected}, depth) and weights of shape (depth, {taps} * "
            f"channels) make the windows of kernel size {kernel_size} over an image of size {spatial_shape}; got "
            f"shapes {describe(shapes)}"
        )
    depth = None if weights[1] is None else weights[1] // taps
    shape = (x[0], depth, *spatial_shape) if data_format == "channels_first" else (x[0], *spatial_shape, depth)
    return shape, result_dtype(*dtypes)


matmul_scatter = primitive(
    "matmul_scatter", _matmul_scatter_forward, _matmul_scatter_vjp, _matmul_scatter_infer, saves=(0, 1)
)
