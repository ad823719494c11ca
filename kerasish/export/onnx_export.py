"""A traced inference graph as an ONNX model: every op mapped (or an error before anything is written),
the file checked by `onnx.checker` and written atomically."""

import numpy

from kerasish.backends.config import image_data_format
from kerasish.backends.io.atomic_file import write_bytes_atomically

from . import onnx_control_flow, onnx_convolutions, onnx_operators, onnx_recurrent
from .onnx_graph import OnnxGraph, onnx

# later tables win: the convolution patterns take over reshape, matmul, mean, sum and divide
CONVERTERS = {
    **onnx_operators.CONVERTERS,
    **onnx_convolutions.CONVERTERS,
    **onnx_control_flow.CONVERTERS,
    **onnx_recurrent.CONVERTERS,
}

LOWEST_OPSET = 17
DATA_FORMATS = (None, "channels_last", "channels_first")


def check_options(opset_version, data_format):
    if isinstance(opset_version, bool) or not isinstance(opset_version, (int, numpy.integer)):
        raise TypeError(f"export: `opset_version` must be an int, received {opset_version!r}")
    highest = onnx().defs.onnx_opset_version()
    if not LOWEST_OPSET <= opset_version <= highest:
        raise ValueError(
            f"export: `opset_version` must be between {LOWEST_OPSET} and {highest} (the installed "
            f"onnx package's newest), received {opset_version}"
        )
    if data_format not in DATA_FORMATS:
        raise ValueError(f"export: `data_format` must be one of {DATA_FORMATS}, received {data_format!r}")


def _stored_perm(rank, data_format):
    """The layout of an image input or output of the exported model, against kerasish's own."""
    if data_format is None or rank < 3 or data_format == image_data_format():
        return None
    if data_format == "channels_first":  # the model computes channels-last
        return (0, rank - 1, *range(1, rank - 1))
    return (0, *range(2, rank), 1)


def _tensor_type(name, dtype, shape, perm, prefix):
    stored = shape if perm is None else tuple(shape[a] for a in perm)
    dims = [
        (f"{prefix}_batch" if axis == 0 else f"{prefix}_dim{axis}") if d is None else int(d)
        for axis, d in enumerate(stored)
    ]
    return onnx().helper.make_tensor_value_info(name, onnx().helper.np_dtype_to_tensor_dtype(numpy.dtype(dtype)), dims)


def to_onnx(traced, input_names, output_names, opset_version=18, data_format=None, name="kerasish"):
    """The ONNX ModelProto of a traced graph, checked with `onnx.checker.check_model`."""
    check_options(opset_version, data_format)
    graph = OnnxGraph(traced, opset_version, name, CONVERTERS)
    graph.used = {id(node) for node in traced.nodes}
    inputs = []
    for placeholder, input_name in zip(traced.inputs, input_names):
        input_name = graph.fresh(input_name)
        perm = _stored_perm(len(placeholder.shape), data_format)
        graph.set(placeholder, input_name, perm)
        inputs.append(_tensor_type(input_name, placeholder.dtype, placeholder.shape, perm, input_name))
    graph.convert_all(traced.nodes)
    outputs = []
    for symbol, output_name in zip(traced.outputs, output_names):
        perm = _stored_perm(len(symbol.shape), data_format)
        source = graph.layout(symbol, perm) if graph.array(symbol) is None else graph.logical(symbol)
        output_name = graph.fresh(output_name)
        graph.nodes.append(
            onnx().helper.make_node("Identity", [source], [output_name], name=graph.fresh(f"{output_name}_Identity"))
        )
        outputs.append(_tensor_type(output_name, symbol.dtype, symbol.shape, perm, output_name))
    helper = onnx().helper
    read = _names_read(graph.nodes)
    initializers = [tensor for tensor in graph.initializers if tensor.name in read]
    model = helper.make_model(
        helper.make_graph(graph.nodes, name, inputs, outputs, initializers),
        opset_imports=[helper.make_opsetid("", int(opset_version))],
        producer_name="kerasish",
    )
    model.ir_version = min(model.ir_version, 10)  # readable by onnxruntime releases of the last years
    onnx().checker.check_model(model, full_check=True)
    return model


def _names_read(nodes):
    """Every tensor name the nodes read, loop bodies included (initializers nothing reads are left out:
    a constant made for a pattern that then took another form)."""
    read = set()
    for node in nodes:
        read.update(node.input)
        for attribute in node.attribute:
            if attribute.HasField("g"):
                read |= _names_read(attribute.g.node)
    return read


def write(model, filepath):
    """Write the ModelProto atomically: a failed write leaves any previous file as it was."""
    write_bytes_atomically(filepath, model.SerializeToString())
