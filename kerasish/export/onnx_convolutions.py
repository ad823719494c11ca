"""Convolutions, pools and batch normalization, recognised from the graph's structure (never from
names), and their ONNX operators:

- `windows_matmul` (an image's windows times a kernel) -> `Conv`; a 1x1 stride-1 convolution, which
  kerasish computes as reshape -> matmul -> reshape -> `Conv`;
- `block_max` (max pooling, any strides and padding) -> `MaxPool`; a mean over the window axes of
  zero-padded windows, or their sum over the real pixel counts -> `AveragePool`;
- `depthwise_taps` (each channel times its own filters) -> a `Conv` with one group per channel;
- other windows (`extract_patches`: grouped convolutions) -> a `Conv` copying the taps;
- `scatter_patches` of image rows times constant weights (a transposed convolution) -> `ConvTranspose`;
- `batch_normalization` with constant statistics -> `BatchNormalization` where the channels are the
  stored axis 1, else a multiply-add with the folded scale and shift.

The nodes a pattern replaces (the reshapes and matmul of a 1x1 convolution, the windows of a pool) are
converted only when something else reads them.
"""

import math

import numpy

from kerasish.backends.primitives.registry import PRIMITIVES

from . import onnx_operators
from .onnx_operators import axes_of, register

CONVERTERS = {}
_emit_reshape = onnx_operators.CONVERTERS[PRIMITIVES["reshape"]]
_emit_matmul = onnx_operators.CONVERTERS[PRIMITIVES["matmul"]]


# ----- 1x1 convolutions ----------------------------------------------------------------------------


def _reshape(graph, node):
    """A reshape is converted when read, so the reshapes around a 1x1 convolution that a Conv replaces are
    never emitted."""
    if _pointwise_conv(node) is not None:
        _emit_pointwise_conv(graph, node)
    else:
        graph.defer(node, _emit_reshape)


def _image_of(x):
    """The image a chain of reshapes flattens to rows of channels: (batch, *spatial, 1, ..., 1, channels)
    -> (-1, channels), as a channels-last 1x1 stride-1 convolution takes its windows; else None."""
    rows = x
    while getattr(x, "op", None) is PRIMITIVES["reshape"]:
        x = x.inputs[0]
    if x is rows or len(x.shape) < 3 or len(rows.shape) != 2 or rows.shape[1] != x.shape[-1] or None in x.shape[1:]:
        return None
    return x


def _pointwise_conv(node):
    """(image, kernel) when `node` is reshape(matmul(rows of an image, constant kernel)) back to the image's
    grid: a 1x1 convolution as a matmul."""
    matmul = node.inputs[0]
    if getattr(matmul, "op", None) is not PRIMITIVES["matmul"]:
        return None
    rows, kernel = matmul.inputs
    image = _image_of(rows)
    if image is None or getattr(kernel, "kind", None) != "constant" or len(kernel.shape) != 2:
        return None
    if tuple(node.shape[1:]) != (*image.shape[1:-1], kernel.shape[1]):
        return None
    return image, kernel


def _emit_pointwise_conv(graph, node):
    image, kernel = _pointwise_conv(node)
    rank = len(image.shape) - 2
    weights = numpy.ascontiguousarray(kernel.value.T.reshape(kernel.shape[1], kernel.shape[0], *(1,) * rank))
    result = graph.node(
        "Conv",
        [graph.layout(image, _first_perm(rank, "channels_last")), graph.constant(weights, f"{node.name}_kernel")],
        node.name,
        kernel_shape=[1] * rank,
    )
    graph.set(node, result, _first_perm(rank, "channels_last"))


def _matmul(graph, node):
    """Converted when read: a 1x1 convolution's matmul becomes a Conv at the reshape after it."""
    graph.defer(node, _emit_matmul)


register(CONVERTERS, "reshape", _reshape)
register(CONVERTERS, "matmul", _matmul)


# ----- convolutions, pools, batch normalization ---------------------------------------------------


def _first_perm(rank, data_format):
    """The stored layout a Conv/pool reads: channels first. For a channels-last image the perm moves the
    last axis to position 1."""
    return (0, rank + 1, *range(1, rank + 1)) if data_format != "channels_first" else None


def _onnx_pads(pads):
    return [int(before) for before, _ in pads] + [int(after) for _, after in pads]


def _kernel_of(graph, node):
    kernel_value = graph.array(node.inputs[1])
    if kernel_value is None:
        raise graph.unmapped(node, "the kernel is computed at run time (an ONNX Conv needs its weights)")
    return kernel_value


def _conv(graph, node, weights, **extra):
    """An ONNX Conv of the node's input with `weights` (filters, channels per group, *kernel_size); the
    node's result is channels-last, the Conv's channels first."""
    geometry = node.attrs
    rank = len(geometry["kernel_size"])
    source = graph.layout(node.inputs[0], _first_perm(rank, geometry["data_format"]))
    bias = [graph.logical(node.inputs[2])] if len(node.inputs) == 3 else []  # windows_matmul's optional bias
    result = graph.node(
        "Conv",
        [source, graph.constant(numpy.ascontiguousarray(weights), f"{node.name}_kernel"), *bias],
        node.name,
        **extra,
        kernel_shape=list(geometry["kernel_size"]),
        strides=list(geometry["strides"]),
        dilations=list(geometry["dilation"]),
        pads=_onnx_pads(geometry["pads"]),
    )
    graph.set(node, result, _first_perm(rank, "channels_last"))


def _windows_matmul(graph, node):
    """Windows times a kernel: a Conv (the kernel, (taps * channels, filters), becomes (filters, channels,
    *kernel_size))."""
    kernel_value = _kernel_of(graph, node)
    kernel_size = node.attrs["kernel_size"]
    rank = len(kernel_size)
    channels = kernel_value.shape[0] // math.prod(kernel_size)
    weights = kernel_value.reshape(*kernel_size, channels, kernel_value.shape[1])
    _conv(graph, node, numpy.transpose(weights, (rank + 1, rank, *range(rank))))


def _depthwise_taps(graph, node):
    """A depthwise convolution: a Conv with one group per channel (the kernel, (*kernel_size, channels,
    multiplier), becomes (channels * multiplier, 1, *kernel_size))."""
    kernel_value = _kernel_of(graph, node)
    kernel_size = node.attrs["kernel_size"]
    rank = len(kernel_size)
    channels, multiplier = kernel_value.shape[-2:]
    weights = numpy.transpose(kernel_value, (rank, rank + 1, *range(rank)))
    _conv(graph, node, weights.reshape(channels * multiplier, 1, *kernel_size), group=int(channels))


def _block_max(graph, node):
    x = node.inputs[0]
    pool_size, data_format = node.attrs["pool_size"], node.attrs["data_format"]
    rank = len(pool_size)
    result = graph.node(
        "MaxPool",
        [graph.layout(x, _first_perm(rank, data_format))],
        node.name,
        kernel_shape=list(pool_size),
        strides=list(node.attrs["strides"]),
        pads=_onnx_pads(node.attrs["pads"]),
    )
    graph.set(node, result, _first_perm(rank, data_format))


def _window_pool(graph, node, windows, op_type, **extra):
    geometry = windows.attrs
    rank = len(geometry["kernel_size"])
    if any(d != 1 for d in geometry["dilation"]):
        raise graph.unmapped(node, "dilated pools do not export")
    source = graph.layout(windows.inputs[0], _first_perm(rank, geometry["data_format"]))
    result = graph.node(
        op_type,
        [source],
        node.name,
        kernel_shape=list(geometry["kernel_size"]),
        strides=list(geometry["strides"]),
        pads=_onnx_pads(geometry["pads"]),
        **extra,
    )
    graph.set(node, result, _first_perm(rank, "channels_last"))  # the pooled windows are channels-last


def _is_window_mean(node):
    x = node.inputs[0]
    if getattr(x, "op", None) is not PRIMITIVES["extract_patches"] or x.attrs["pad_value"] != 0.0:
        return False
    rank = len(x.attrs["kernel_size"])
    return axes_of(node.attrs.get("axis"), len(x.shape)) == tuple(range(rank + 1, 2 * rank + 1)) and not node.attrs.get(
        "keepdims", False
    )


def _mean(graph, node):
    if _is_window_mean(node):
        _window_pool(graph, node, node.inputs[0], "AveragePool", count_include_pad=1)
    else:
        _reduce_mean(graph, node)


_reduce_mean = onnx_operators.CONVERTERS[PRIMITIVES["mean"]]
_divide = onnx_operators.CONVERTERS[PRIMITIVES["divide"]]
_reduce_sum = onnx_operators.CONVERTERS[PRIMITIVES["sum"]]


def _sum(graph, node):
    """A sum over windows is the numerator of a "same" average pool (`_divide_or_pool` reads the image)."""
    if _is_window_mean(node):
        graph.defer(node, _reduce_sum)
    else:
        _reduce_sum(graph, node)


def _divide_or_pool(graph, node):
    """sum(windows) / real-pixel counts: "same" average pooling, which leaves the padding out."""
    total, counts = node.inputs
    if getattr(total, "op", None) is PRIMITIVES["sum"] and _is_window_mean(total) and graph.array(counts) is not None:
        _window_pool(graph, node, total.inputs[0], "AveragePool", count_include_pad=0)
    else:
        _divide(graph, node)


def _windows(graph, node):
    """Windows with zero padding as a Conv whose one-hot kernel copies each tap of each channel (group =
    channels), reshaped and transposed to (batch, *out, *kernel_size, channels): what a depthwise or
    grouped convolution multiplies. Other padding values map only as part of a max pool."""
    geometry = node.attrs
    if geometry["pad_value"] != 0.0:
        raise graph.unmapped(node, "windows padded with a value other than 0 map only as part of a max pool")
    x = node.inputs[0]
    kernel_size = tuple(geometry["kernel_size"])
    rank, taps = len(kernel_size), math.prod(kernel_size)
    channels = node.shape[-1]
    copies = numpy.eye(taps, dtype=node.dtype).reshape(taps, 1, *kernel_size)
    weights = numpy.tile(copies, (channels, 1, *(1,) * rank))
    source = graph.layout(x, _first_perm(rank, geometry["data_format"]))
    windows = graph.node(
        "Conv",
        [source, graph.constant(weights, f"{node.name}_taps")],
        node.name,
        group=channels,
        kernel_shape=list(kernel_size),
        strides=list(geometry["strides"]),
        dilations=list(geometry["dilation"]),
        pads=_onnx_pads(geometry["pads"]),
    )
    # (batch, channels * taps, *out) -> (batch, channels, *kernel_size, *out), stored with that layout
    shape = graph.ints([0, channels, *kernel_size, *(-1 if d is None else d for d in node.shape[1 : 1 + rank])])
    windows = graph.node("Reshape", [windows, shape], node.name)
    stored = (0, 2 * rank + 1, *range(1 + rank, 2 * rank + 1), *range(1, rank + 1))
    graph.set(node, windows, stored)


def _extract_patches(graph, node):
    """Converted when read: a pool over the windows reads the image itself (see `_window_pool`)."""
    graph.defer(node, _windows)


register(CONVERTERS, "windows_matmul", _windows_matmul)
register(CONVERTERS, "depthwise_taps", _depthwise_taps)
register(CONVERTERS, "block_max", _block_max)
register(CONVERTERS, "mean", _mean)
register(CONVERTERS, "sum", _sum)
register(CONVERTERS, "divide", _divide_or_pool)
register(CONVERTERS, "extract_patches", _extract_patches)


def _batch_normalization(graph, node):
    x, mean, variance, offset, scale = node.inputs
    axis, epsilon = node.attrs["axis"], node.attrs["epsilon"]
    statistics = [graph.array(v, x.dtype) for v in (mean, variance, offset, scale)]
    if any(v is None for v in statistics):
        raise graph.unmapped(node, "its statistics are computed at run time (training mode)")
    rank = len(x.shape)
    depth = x.shape[axis]
    mean, variance, offset, scale = (numpy.broadcast_to(v, (depth,)).astype(x.dtype) for v in statistics)
    perm = graph.perm_of(x)
    stored_axis = perm.index(axis) if perm is not None else axis
    name = graph.layout(x, perm)
    if stored_axis == 1 and rank >= 2:
        result = graph.node(
            "BatchNormalization",
            [name, graph.constant(scale), graph.constant(offset), graph.constant(mean), graph.constant(variance)],
            node.name,
            epsilon=float(epsilon),
        )
    else:
        inverse_std = (scale / numpy.sqrt(variance + numpy.asarray(epsilon, x.dtype))).astype(x.dtype)
        shift = (offset - mean * inverse_std).astype(x.dtype)
        shape = [1] * rank
        shape[stored_axis] = depth
        result = graph.node("Mul", [name, graph.constant(inverse_std.reshape(shape))], node.name)
        result = graph.node("Add", [result, graph.constant(shift.reshape(shape))], node.name)
    graph.set(node, result, perm)


register(CONVERTERS, "batch_normalization", _batch_normalization)


def _transposed_conv(graph, node):
    """scatter_patches(reshape(rows of an image @ constant weights)): a transposed convolution (windows
    summed back onto the output grid) as ConvTranspose. The forward conv's (before, after) pads crop the
    full result; a negative after-pad (output larger than the full result) is output_padding."""
    windows = node.inputs[0]
    geometry = node.attrs
    rank = len(geometry["kernel_size"])
    matmul = windows.inputs[0] if getattr(windows, "op", None) is PRIMITIVES["reshape"] else None
    if getattr(matmul, "op", None) is not PRIMITIVES["matmul"] or graph.array(matmul.inputs[1]) is None:
        raise graph.unmapped(
            node, "only a transposed convolution (windows from an image times constant weights) exports"
        )
    image = _image_of(matmul.inputs[0])
    if image is None or tuple(image.shape[1:-1]) != tuple(windows.shape[1 : 1 + rank]):
        raise graph.unmapped(
            node, "only a transposed convolution (windows from an image times constant weights) exports"
        )
    weights = graph.array(matmul.inputs[1])
    depth, filters = weights.shape[0], windows.shape[-1]
    weights = weights.reshape(depth, *geometry["kernel_size"], filters)
    weights = numpy.ascontiguousarray(numpy.transpose(weights, (0, rank + 1, *range(1, rank + 1))))
    begins, ends, extra = [], [], []
    for size, out, k, s, d, (before, _) in zip(
        image.shape[1:-1],
        geometry["spatial_shape"],
        geometry["kernel_size"],
        geometry["strides"],
        geometry["dilation"],
        geometry["pads"],
    ):
        full = (size - 1) * s + (k - 1) * d + 1
        after = full - before - out
        begins.append(int(before))
        ends.append(max(int(after), 0))
        extra.append(max(-int(after), 0))
    if min(begins) < 0:
        raise graph.unmapped(node, "a transposed convolution that pads before the input does not export")
    result = graph.node(
        "ConvTranspose",
        [graph.layout(image, _first_perm(rank, "channels_last")), graph.constant(weights, f"{node.name}_kernel")],
        node.name,
        kernel_shape=list(geometry["kernel_size"]),
        strides=list(geometry["strides"]),
        dilations=list(geometry["dilation"]),
        pads=begins + ends,
        output_padding=extra,
    )
    graph.set(node, result, _first_perm(rank, geometry["data_format"]))


register(CONVERTERS, "scatter_patches", _transposed_conv)
