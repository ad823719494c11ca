"""Common-subexpression elimination: nodes with the same op, inputs and attributes are computed once."""

from ..graph import Symbol
from .rewriting import rebuild, rewrite


def run(roots, context):
    seen = {}

    def replace(node, inputs, mapped):
        key = _key(node, inputs)
        if key is None:
            return None
        first = seen.get(key)
        if first is not None:
            return first
        changed = any(a is not b for a, b in zip(inputs, node.inputs))
        seen[key] = new = rebuild(node, inputs, context.graph) if changed else node
        return new

    return rewrite(roots, context.graph, replace)


def _key(node, inputs):
    if node.kind == "placeholder":
        return None
    if node.kind == "variable":
        return ("variable", id(node.variable))
    if node.kind == "constant":
        value = node.value
        if value.size > 64:
            return None
        return ("constant", value.dtype.str, value.shape, value.tobytes())
    try:
        attrs = tuple(sorted(node.attrs.items()))
        hash(attrs)
    except TypeError:
        return None
    operands = tuple(("symbol", id(x)) if isinstance(x, Symbol) else (type(x).__name__, x) for x in inputs)
    return ("op", id(node.op), operands, attrs)
