"""Control flow as ONNX control flow: `scan` -> `Scan`, `cond` -> `If`, `while_loop` -> `Loop`.

Each body (a child graph of the static engine) becomes an ONNX subgraph converted with the same tables:
values the body captured from the enclosing graph are read from the outer scope by name (constants are
known to the body, so its patterns see them). Results of a tuple-valued node are read through its
`component` nodes.
"""

import numpy

from kerasish.backends.static.control_flow import COMPONENT, COND, SCAN, WHILE, components
from kerasish.backends.static.walk import topological

from .onnx_graph import onnx
from .onnx_operators import onnx_dtype

CONVERTERS = {}


class _Body:
    """A control-flow body as the exporter walks it: the nodes its results need, each reported under the
    layer of the control-flow node."""

    def __init__(self, results, layer):
        self.nodes = topological(results)
        self.layer_of = {node.name: layer for node in self.nodes} if layer else {}


def _value_info(name, symbol, dtype=None, shape=None):
    return onnx().helper.make_tensor_value_info(
        name, onnx_dtype(dtype or symbol.dtype), list(symbol.shape) if shape is None else shape
    )


def _alias(graph, param, value, source=None):
    """`param` (a body parameter) takes `value`, a node of `source` (default: `graph`): a constant is known
    to the body (its patterns see it); other values are read by name, from the outer scope if need be."""
    source = source or graph
    constant = source.array(value)
    if constant is not None:
        graph.known[id(param)] = constant
    else:
        graph.set(param, source.logical(value))


def _subgraph(graph, node, results, formal, captures, name, links=(), condition=None):
    """An ONNX graph computing `results` (symbols): `formal` parameters are its inputs, `captures`
    (param, outer value) pairs are bound from the enclosing graph, `links` (param, symbol) pairs give a
    parameter the value of a symbol of the same body (a loop's test reads the step's results). With
    `condition` (a symbol), the graph is a Loop body: (iteration, condition) inputs first, the condition
    (one bool) first among its outputs."""
    helper = onnx().helper
    everything = ([] if condition is None else [condition]) + list(results)
    # the results' nodes first: the test of a loop reads them through `links`, which the walk cannot see
    walked = list(results) + ([] if condition is None else [condition])
    inner = graph.child(_Body(walked, graph.traced.layer_of.get(node.name)), name)
    inner.used = {id(n) for n in inner.traced.nodes}
    inputs = []
    if condition is not None:
        inputs = [
            helper.make_tensor_value_info(inner.fresh(f"{name}_iteration"), onnx_dtype(numpy.int64), []),
            helper.make_tensor_value_info(inner.fresh(f"{name}_condition"), onnx_dtype(bool), []),
        ]
    for param in formal:
        param_name = inner.fresh(param.name)
        inner.set(param, param_name)
        inputs.append(_value_info(param_name, param))
    for param, outer in captures:
        _alias(inner, param, outer, graph)
    for param, symbol in links:
        inner.defer(param, lambda body, param, symbol=symbol: _alias(body, param, symbol))
    inner.convert_all(inner.traced.nodes)
    names = [] if condition is None else [_condition(inner, condition)]
    names += [inner.logical(symbol) for symbol in results]
    outputs = []
    for position, (source, symbol) in enumerate(zip(names, everything)):
        output_name = inner.fresh(f"{name}_out{position}")
        inner.nodes.append(
            helper.make_node("Identity", [source], [output_name], name=inner.fresh(f"{output_name}_Identity"))
        )
        is_condition = condition is not None and position == 0
        outputs.append(_value_info(output_name, symbol, bool if is_condition else None, [] if is_condition else None))
    return helper.make_graph(inner.nodes, name, inputs, outputs)


def _used(graph, parts, indices):
    return [i for i in indices if id(parts[i]) in graph.used]


def _scan(graph, node):
    """kerasish's scan (carries, sequences, captured values) as ONNX Scan: the sequences are scan inputs,
    captured values are read from the outer scope, and the stored carries (a gradient's history) are
    extra scan outputs when something reads them."""
    attrs = node.attrs
    body, carries, sequences, outputs = attrs["body"], attrs["carries"], attrs["sequences"], attrs["outputs"]
    if not sequences:
        raise graph.unmapped(node, "a scan without sequences (only `length`) has no ONNX Scan input to run over")
    history = [
        i - carries - outputs for i in _used(graph, components(node), range(carries + outputs, 2 * carries + outputs))
    ]
    results = list(body.outputs) + [body.params[i] for i in history]
    subgraph = _subgraph(
        graph,
        node,
        results,
        body.params[: carries + sequences],
        list(zip(body.params[carries + sequences :], node.inputs[carries + sequences :])),
        f"{node.name}_body",
    )
    direction = int(attrs["reverse"])
    names = graph.node(
        "Scan",
        [graph.logical(x) for x in node.inputs[: carries + sequences]],
        node.name,
        outputs=len(results),
        body=subgraph,
        num_scan_inputs=sequences,
        scan_input_directions=[direction] * sequences,
        scan_output_directions=[direction] * (len(results) - carries),
    )
    names = names if isinstance(names, list) else [names]
    indices = list(range(carries + outputs)) + [carries + outputs + i for i in history]
    graph.values[id(node)] = dict(zip(indices, names))


def _condition(graph, pred):
    """A value as ONNX's condition: one bool element."""
    name = graph.logical(pred)
    if numpy.dtype(pred.dtype) != numpy.dtype(bool):
        name = graph.node("Cast", [name], f"{pred.name}_bool", to=onnx_dtype(bool))
    if len(pred.shape):
        name = graph.node("Reshape", [name, graph.ints([])], f"{pred.name}_scalar")
    return name


def _cond(graph, node):
    """cond as ONNX If: each branch is a subgraph reading its captured values from the outer scope."""
    attrs = node.attrs
    pred, captured = node.inputs[0], node.inputs[1:]
    split = attrs["split"]
    branches = []
    for body, outer in ((attrs["true_body"], captured[:split]), (attrs["false_body"], captured[split:])):
        branches.append(
            _subgraph(
                graph,
                node,
                list(body.outputs),
                (),
                list(zip(body.params, outer)),
                f"{node.name}_{'then' if not branches else 'else'}",
            )
        )
    count = len(attrs["true_body"].outputs)
    names = graph.node(
        "If", [_condition(graph, pred)], node.name, outputs=count, then_branch=branches[0], else_branch=branches[1]
    )
    names = names if isinstance(names, list) else [names]
    graph.values[id(node)] = dict(enumerate(names))


def _while_loop(graph, node):
    """while_loop as ONNX Loop: the test runs once before the loop on the initial values, and in the body
    after each step on the step's results (an ONNX Loop body computes the next condition)."""
    attrs = node.attrs
    test, body, count, split = attrs["test"], attrs["body"], attrs["count"], attrs["split"]
    values = node.inputs[:count]
    test_captured, body_captured = node.inputs[count : count + split], node.inputs[count + split :]
    if _used(graph, components(node), range(count, 2 * count)):
        raise graph.unmapped(node, "the stored loop values (a gradient's history) do not export")
    for param, value in zip(test.params, list(values) + list(test_captured)):
        _alias(graph, param, value)
    graph.convert_all(topological(test.outputs))
    first = _condition(graph, test.outputs[0])
    captures = list(zip(body.params[count:], body_captured)) + list(zip(test.params[count:], test_captured))
    subgraph = _subgraph(
        graph,
        node,
        list(body.outputs),
        body.params[:count],
        captures,
        f"{node.name}_body",
        links=list(zip(test.params[:count], body.outputs)),
        condition=test.outputs[0],
    )
    limit = (
        ""
        if attrs["maximum_iterations"] is None
        else graph.constant(numpy.asarray(attrs["maximum_iterations"], numpy.int64))
    )
    names = graph.node(
        "Loop", [limit, first] + [graph.logical(v) for v in values], node.name, outputs=count, body=subgraph
    )
    names = names if isinstance(names, list) else [names]
    graph.values[id(node)] = dict(enumerate(names))


def _component(graph, node):
    source = node.inputs[0]
    names = graph.values.get(id(source))
    if names is None or node.attrs["index"] not in names:
        raise graph.unmapped(node, f"component {node.attrs['index']} of '{source.op.name}' is not exported")
    graph.set(node, names[node.attrs["index"]])


CONVERTERS[SCAN] = _scan
CONVERTERS[COND] = _cond
CONVERTERS[WHILE] = _while_loop
CONVERTERS[COMPONENT] = _component
