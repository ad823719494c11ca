"""Rebuilding nodes in the scratch graph: the one way passes change a graph."""

from ..graph import Symbol
from ..walk import topological


def rebuild(node, inputs, graph, **changes):
    """A copy of `node` in `graph` with new inputs (and optionally a new op/attrs/kind/value)."""
    fields = dict(kind=node.kind, op=node.op, attrs=node.attrs, value=node.value, name=node.name)
    fields.update(changes)
    return Symbol(
        graph,
        fields["kind"],
        fields["op"],
        inputs,
        fields["attrs"],
        node.shape,
        node.dtype,
        name=fields["name"],
        value=fields["value"],
    )


def rewrite(roots, graph, replace):
    """Walk the nodes under `roots` inputs-first; `replace(node, inputs, mapped)` returns the node to
    use (None: keep the node, rebuilt only if its inputs changed). `inputs` are the node's inputs as
    rewritten so far, `mapped(x)` gives any earlier node as rewritten. Returns the new roots."""
    mapping = {}

    def mapped(x):
        return mapping.get(id(x), x) if isinstance(x, Symbol) else x

    for node in topological(roots):
        inputs = tuple(mapped(x) for x in node.inputs)
        new = replace(node, inputs, mapped)
        if new is None:
            changed = any(a is not b for a, b in zip(inputs, node.inputs))
            new = rebuild(node, inputs, graph) if changed else node
        mapping[id(node)] = new
    return [mapping.get(id(r), r) if isinstance(r, Symbol) else r for r in roots]
