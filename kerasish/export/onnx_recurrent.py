"""The fused LSTM and GRU recurrences (`lstm_sequence`, `gru_sequence`) as ONNX `Scan`s over the time axis.

Each body is one step of the cell written in ONNX nodes (MatMul, Split, Sigmoid, Tanh, Mul, Add) in the
primitives' feature-major layout (features, batch), carrying the transposed states and giving the step's
stacked row as a scan output over the time-major projected steps; the initial states over zero gates are
put before the scanned rows, so the result is the primitive's own (steps + 1, stacked, batch) output and the
layer's slices of it convert as usual. The transposed recurrent kernel (and GRU's recurrent bias as a
column) are read from the outer scope by name.
"""

import numpy

from .onnx_graph import onnx
from .onnx_operators import onnx_dtype, register

CONVERTERS = {}


def _body(graph, name, inputs, outputs, nodes, dtype):
    helper = onnx().helper
    infos = [
        [helper.make_tensor_value_info(value, onnx_dtype(dtype), None) for value in group]
        for group in (inputs, outputs)
    ]
    return helper.make_graph(nodes, name, *infos)


def _step_node(graph, nodes, op_type, inputs, hint, outputs=1, **attributes):
    names = [graph.fresh(hint if outputs == 1 else f"{hint}_{i}") for i in range(outputs)]
    nodes.append(onnx().helper.make_node(op_type, inputs, names, name=graph.fresh(f"{hint}_{op_type}"), **attributes))
    return names[0] if outputs == 1 else names


def _transposed(graph, node, position, hint):
    return graph.node("Transpose", [graph.logical(node.inputs[position])], f"{node.name}_{hint}", perm=[1, 0])


def _scan(graph, node, body, states, zero_rows):
    """The Scan over the time-major projected steps, after one row of the initial states over zero rows."""
    initial = [_transposed(graph, node, position, "initial") for position in range(1, 1 + states)]
    results = graph.node(
        "Scan", initial + [graph.logical(node.inputs[0])], node.name, outputs=states + 1, body=body, num_scan_inputs=1
    )
    batch = graph.node(
        "Slice",
        [graph.node("Shape", [initial[0]], f"{node.name}_shape"), graph.ints([1]), graph.ints([2])],
        f"{node.name}_batch",
    )
    shape = graph.node("Concat", [graph.ints([zero_rows]), batch], f"{node.name}_zero_shape", axis=0)
    zero = onnx().numpy_helper.from_array(numpy.zeros(1, node.dtype))
    zeros = graph.node("ConstantOfShape", [shape], f"{node.name}_zeros", value=zero)
    first = graph.node("Concat", initial + [zeros], f"{node.name}_first", axis=0)
    first = graph.node("Unsqueeze", [first, graph.ints([0])], f"{node.name}_first")
    graph.set(node, graph.node("Concat", [first, results[-1]], f"{node.name}_rows", axis=0))


def _lstm_sequence(graph, node):
    units = node.inputs[3].shape[0]
    kernel = _transposed(graph, node, 3, "kernel")
    sizes = graph.ints([units] * 4)
    h, c, x = (graph.fresh(f"{node.name}_{part}") for part in ("h", "c", "x"))
    nodes = []
    step = lambda *arguments, **attributes: _step_node(graph, nodes, *arguments, **attributes)  # noqa: E731
    z = step("Add", [step("MatMul", [kernel, h], f"{node.name}_hr"), x], f"{node.name}_z")
    i, f, g, o = step("Split", [z, sizes], f"{node.name}_gate", outputs=4, axis=0)
    i, f, o = (step("Sigmoid", [gate], f"{node.name}_sigmoid") for gate in (i, f, o))
    g = step("Tanh", [g], f"{node.name}_g")
    new_c = step(
        "Add", [step("Mul", [f, c], f"{node.name}_fc"), step("Mul", [i, g], f"{node.name}_ig")], f"{node.name}_c"
    )
    new_h = step("Mul", [o, step("Tanh", [new_c], f"{node.name}_tanh_c")], f"{node.name}_h")
    row = step("Concat", [new_h, new_c, i, f, g, o], f"{node.name}_row", axis=0)
    outputs = [step("Identity", [value], f"{node.name}_out") for value in (new_h, new_c, row)]
    body = _body(graph, f"{node.name}_body", [h, c, x], outputs, nodes, node.dtype)
    _scan(graph, node, body, states=2, zero_rows=4 * units)


def _gru_sequence(graph, node):
    units = node.inputs[2].shape[0]
    kernel = _transposed(graph, node, 2, "kernel")
    bias = graph.node("Unsqueeze", [graph.logical(node.inputs[3]), graph.ints([1])], f"{node.name}_bias")
    sizes = graph.ints([units] * 3)
    h, x = (graph.fresh(f"{node.name}_{part}") for part in ("h", "x"))
    nodes = []
    step = lambda *arguments, **attributes: _step_node(graph, nodes, *arguments, **attributes)  # noqa: E731
    inner = step("Add", [step("MatMul", [kernel, h], f"{node.name}_hr"), bias], f"{node.name}_inner")
    x_z, x_r, x_h = step("Split", [x, sizes], f"{node.name}_x", outputs=3, axis=0)
    inner_z, inner_r, inner_h = step("Split", [inner, sizes], f"{node.name}_inner", outputs=3, axis=0)
    z = step("Sigmoid", [step("Add", [x_z, inner_z], f"{node.name}_zsum")], f"{node.name}_z")
    r = step("Sigmoid", [step("Add", [x_r, inner_r], f"{node.name}_rsum")], f"{node.name}_r")
    candidate = step(
        "Tanh",
        [step("Add", [x_h, step("Mul", [r, inner_h], f"{node.name}_rh")], f"{node.name}_hsum")],
        f"{node.name}_candidate",
    )
    change = step("Mul", [z, step("Sub", [h, candidate], f"{node.name}_diff")], f"{node.name}_change")
    new_h = step("Add", [candidate, change], f"{node.name}_h")
    row = step("Concat", [new_h, z, r, candidate, inner_h], f"{node.name}_row", axis=0)
    outputs = [step("Identity", [value], f"{node.name}_out") for value in (new_h, row)]
    body = _body(graph, f"{node.name}_body", [h, x], outputs, nodes, node.dtype)
    _scan(graph, node, body, states=1, zero_rows=4 * units)


register(CONVERTERS, "lstm_sequence", _lstm_sequence)
register(CONVERTERS, "gru_sequence", _gru_sequence)
