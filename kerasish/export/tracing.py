"""The inference graph an export starts from: a callable traced on the static engine, weights frozen,
then the static engine's own safe passes.

A model (or any callable over tensors) is called once on placeholders whose batch axis is None, inside
a static trace (`dispatch.TRACES`), so its Variables are read as graph nodes. Every node remembers the
layers whose call created it (the layer-call stack of `kerasish.layers.layer`), so an op that cannot be
exported is reported with its layer. The weights are then frozen into constants (an exported file holds
their values) and the graph goes through the passes that keep primitives primitives: dead code (only
what the outputs need is walked), constant folding, algebraic simplification and common
subexpressions. The fusion passes are left out: their nodes are the engine's own kernels
(FusedElementwise, MatmulBias), and an ONNX runtime fuses for itself.
"""

import numpy

from kerasish.backends import dispatch, static
from kerasish.backends.static.function import Context
from kerasish.backends.static.passes import REWRITES
from kerasish.backends.static.passes.rewriting import rebuild, rewrite
from kerasish.backends.static.walk import topological
from kerasish.layers import layer as layers

SAFE_PASSES = ("constant_folding", "algebraic_simplification", "common_subexpressions")


class Traced:
    """An inference graph ready to map: `inputs` (placeholders), `outputs` (symbols, or constants),
    `nodes` (every node the outputs need, inputs first) and `layer_of` (node name -> layer path)."""

    def __init__(self, inputs, outputs, layer_of):
        self.inputs, self.outputs, self.layer_of = inputs, outputs, layer_of
        self.nodes = topological(outputs)


class _LayerRecorder(list):
    """The node list of the trace graph: each appended node is remembered with the layer-call stack
    that was open when it was built."""

    def __init__(self):
        super().__init__()
        self.layer_of = {}

    def append(self, node):
        super().append(node)
        calls = layers._CALLS
        if calls:
            self.layer_of[node.name] = "/".join(layer.name for layer, _ in calls)


def trace(function, specs, name):
    """Trace `function(*placeholders)` for `specs` ((shape, dtype, name) per input); a Traced."""
    graph = static.Graph(name=name)
    graph.nodes = recorder = _LayerRecorder()
    with graph.as_default():
        dispatch.TRACES.append(graph)
        try:
            inputs = [static.placeholder(shape, dtype, name=input_name) for shape, dtype, input_name in specs]
            result = function(*inputs)
        finally:
            dispatch.TRACES.remove(graph)
        outputs = [_symbol(x) for x in (list(result) if isinstance(result, (list, tuple)) else [result])]
    return optimise(inputs, outputs, recorder.layer_of)


def optimise(inputs, outputs, layer_of=None):
    """Freeze the variables the outputs read into constants and run the safe passes; a Traced."""
    context = Context(static.Graph(name="export"), numpy, "cpu")

    def freeze(node, new_inputs, mapped):
        if node.kind != "variable":
            return None
        return rebuild(node, (), context.graph, kind="constant", value=numpy.array(node.variable.numpy()))

    roots = rewrite(outputs, context.graph, freeze)
    for name in SAFE_PASSES:
        roots = REWRITES[name](roots, context)
    return Traced(inputs, roots, layer_of or {})


def _symbol(x):
    if isinstance(x, static.Symbol):
        return x
    if dispatch.is_symbolic(x) or not hasattr(x, "shape"):
        raise TypeError(f"export: the traced function must return tensors, got {x!r}")
    return static.constant(x)
