"""Residuals computed once: a primitive with a `recomputes` fact (first, second, positions) is
`second(first(other inputs), inputs at positions)`, and its vjp computes `first` again (dot_product_attention's
probabilities; the dynamic engine runs the two ops instead while a tape records). Where a graph holds both the op
and that `first` node, same inputs and attributes, the op becomes `second` reading the `first` node the gradient
computes anyway: for attention, one Q Kᵀ product and one softmax fewer per training step, for one (batch, heads,
queries, keys) array kept from the forward to the backward pass. Runs after common_subexpressions, so equal inputs
are one node.
"""

from ..walk import topological
from .rewriting import rebuild, rewrite


def run(roots, context):
    order = topological(roots)
    firsts = {id(_recomputes(node)[0]) for node in order if _recomputes(node)}
    computed = {_key(node.op, node.inputs, node.attrs): node for node in order if id(node.op) in firsts}
    if not computed:
        return roots
    rewritten = {}

    def first(node, inputs):
        """The `first` node with `inputs`, rewritten once whichever of its users comes first."""
        if id(node) not in rewritten:
            changed = any(a is not b for a, b in zip(inputs, node.inputs))
            rewritten[id(node)] = rebuild(node, inputs, context.graph) if changed else node
        return rewritten[id(node)]

    def replace(node, inputs, mapped):
        if node.kind != "op":
            return None
        if id(node.op) in firsts and _key(node.op, node.inputs, node.attrs) in computed:
            return first(node, inputs)
        if not _recomputes(node):
            return None
        op, second, positions = _recomputes(node)
        rest = [i for i in range(len(inputs)) if i not in positions]
        shared = computed.get(_key(op, [node.inputs[i] for i in rest], node.attrs))
        if shared is None:
            return None
        shared = first(shared, tuple(inputs[i] for i in rest))
        return rebuild(node, (shared, *(inputs[i] for i in positions)), context.graph, op=second, attrs={})

    return rewrite(roots, context.graph, replace)


def _recomputes(node):
    return getattr(node.op, "recomputes", None) if node.kind == "op" else None


def _key(op, inputs, attrs):
    return id(op), tuple(id(x) for x in inputs), tuple(sorted(attrs.items()))
