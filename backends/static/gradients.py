"""Symbolic differentiation: the primitives' own VJP rules applied to symbols.

The rules are written with kerasish.ops, so on symbols they build the gradient graph; gradients
of gradients come the same way.
"""
from ..primitives.registry import backward, ops
from ..variable import Variable
from .control_flow import COMPONENT, components
from .graph import Symbol
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
    seeds = [None] * len(ys) if grad_ys is None else (list(grad_ys) if isinstance(grad_ys, (list, tuple))
                                                        else [grad_ys])
    if len(seeds) != len(ys):
        raise ValueError(f"gradients: {len(ys)} targets but {len(seeds)} grad_ys")
    for y in ys:
        if not isinstance(y, Symbol):
            raise TypeError(f"gradients: targets must be Symbols, got {type(y).__name__}")
    graph = ys[0].graph
    sources = [source_symbol(x, graph) for x in xs]
    with graph.as_default():
        grads = backpropagate(ys, seeds, sources)
        results = [grads.get(id(s)) for s in sources]
        if unconnected_gradients == "zero":
            results = [ops.zeros_like(s) if g is None else g for g, s in zip(results, sources)]
    return results[0] if single else results


def source_symbol(x, graph):
    if isinstance(x, Variable):
        return graph.variable_node(x)
    if isinstance(x, Symbol):
        return x
    raise TypeError(f"gradients: sources must be Symbols or Variables, got {type(x).__name__}")


def seed_for(y, seed):
    if seed is not None:
        return seed
    if any(d != 1 for d in y.shape):
        raise ValueError(f"gradients: target {y.name!r} has shape {y.shape}, not a scalar; pass grad_ys "
                         f"(a seed of shape {y.shape}) or reduce it first (e.g. ops.sum)")
    return ops.ones_like(y)


def backpropagate(ys, seeds, sources):
    """{id(symbol): gradient} for every symbol between the sources and the targets."""
    order = topological(ys)
    depends = {id(s) for s in sources}
    for node in order:
        if any(id(x) in depends for x in node.inputs):
            depends.add(id(node))
    grads = {}
    for y, seed in zip(ys, seeds):
        if id(y) in depends:
            accumulate(grads, id(y), seed_for(y, seed), y)
    parts = {}
    for node in reversed(order):
        if node.op is COMPONENT:
            if id(node) in grads:
                accumulate(parts.setdefault(id(node.inputs[0]), {}), node.attrs["index"], grads[id(node)], node)
            continue
        tupled = getattr(node.op, "tuple_valued", False)
        grad = grads.get(id(node)) if not tupled else _component_list(parts.get(id(node)), node)
        if grad is None or node.op is None or node.op.vjp is None:
            continue
        needs = tuple(isinstance(x, Symbol) and id(x) in depends for x in node.inputs)
        if not any(needs):
            continue
        if tupled:
            found = node.op.vjp(grad, node.inputs, node, needs, **node.attrs)
        else:
            found = backward(node.op, grad, node.inputs, node, needs, node.attrs)
        for x, g, need in zip(node.inputs, found, needs):
            if g is not None and need:
                accumulate(grads, id(x), g, x)
    return grads


def _component_list(found, node):
    """Gradients of a tuple-valued node's components, by index (None where none arrived)."""
    if not found:
        return None
    count = len(components(node))
    return [found.get(i) for i in range(count)]


def accumulate(grads, key, g, x):
    if not isinstance(g, Symbol):
        g = ops.add(ops.zeros_like(x), g)
    if len(g.shape) != len(x.shape) or any(a is not None and b is not None and a != b
                                             for a, b in zip(g.shape, x.shape)):
        raise ValueError(f"gradients: gradient of shape {g.shape} does not match {x.name!r} of shape {x.shape}")
    previous = grads.get(key)
    grads[key] = g if previous is None else ops.add(previous, g)

