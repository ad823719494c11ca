"""Symbolic differentiation: the graph's nodes walked backwards by the walk the tape uses too
(`backpropagation.backpropagate`), with the primitives' own VJP rules applied to symbols.

The rules are written with kerasish.ops, so on symbols they build the gradient graph; gradients
of gradients come the same way.
"""

from .. import dispatch
from ..backpropagation import Record, backpropagate
from ..primitives.registry import ops
from ..variable import Variable
from .symbol import Symbol, components
from .walk import topological


def gradients(ys, xs, grad_ys=None, unconnected_gradients="none"):
    """Symbols for d(sum of ys)/d(x) for each x, like tf.gradients / theano.grad.

    `ys`, `xs`: a symbol or a list. An x may be a placeholder, any symbol, a kerasish.Variable or a
    variable symbol. A non-scalar y needs its seed in `grad_ys`. Returns a list when xs is a list.
    """
    if unconnected_gradients not in ("none", "zero"):
        raise ValueError(f"gradients: unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
    single = not isinstance(xs, (list, tuple))
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    xs = [xs] if single else list(xs)
    seeds = (
        [None] * len(ys) if grad_ys is None else (list(grad_ys) if isinstance(grad_ys, (list, tuple)) else [grad_ys])
    )
    if len(seeds) != len(ys):
        raise ValueError(f"gradients: {len(ys)} targets but {len(seeds)} grad_ys")
    for y in ys:
        if not isinstance(y, Symbol):
            raise TypeError(f"gradients: targets must be Symbols, got {type(y).__name__}")
    graph = ys[0].graph
    sources = [source_symbol(x, graph) for x in xs]
    with graph.as_default():
        grads = backpropagate(records(ys), [(id(y), y) for y in ys], seeds, [id(s) for s in sources], default_seed)
        results = [_as_symbol(grads.get(id(s)), s) for s in sources]
        if unconnected_gradients == "zero":
            results = [ops.zeros_like(s) if g is None else g for g, s in zip(results, sources)]
    return results[0] if single else results


def _as_symbol(g, source):
    """A gradient a custom backward gave as a constant (a Tensor, an array) becomes a node of the graph."""
    return g if g is None or isinstance(g, Symbol) else ops.add(ops.zeros_like(source), g)


def source_symbol(x, graph):
    if isinstance(x, Variable):
        return graph.variable_node(x)
    if isinstance(x, Symbol):
        return x
    raise TypeError(f"gradients: sources must be Symbols or Variables, got {type(x).__name__}")


def default_seed(y):
    if any(d != 1 for d in y.shape):
        raise ValueError(
            f"gradients: target {y.name!r} has shape {y.shape}, not a scalar; pass grad_ys "
            f"(a seed of shape {y.shape}) or reduce it first (e.g. ops.sum)"
        )
    return ops.ones_like(y)


def records(roots):
    """The graph's op nodes that lead to `roots`, in topological order, as records for the backward pass.
    A control-flow node is one record whose results are its `component` nodes; leaves and ops without a
    gradient (comparisons, argmax...) are left out."""
    found = []
    for node in topological(roots):
        if node.op is None or node.op.vjp is None:
            continue
        keys = tuple(id(x) if isinstance(x, Symbol) else None for x in node.inputs)
        multiple = getattr(node.op, "tuple_valued", False)
        parts = tuple(id(part) for _, part in sorted(components(node).items())) if multiple else ()
        found.append(Record(node.op, node.inputs, keys, node, id(node), node.attrs, parts))
    return found


dispatch.GRADIENTS["static"] = gradients
