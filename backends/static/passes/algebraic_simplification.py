"""Algebraic simplification: identities that leave a node's value, shape and dtype unchanged.

The primitives state the identities: a `neutral` element (x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1), an
`involution` (-(-x)), and `same_shape_identity` (the broadcasting helpers of gradients, `sum_to` and
`broadcast_like`, when both shapes are the same and fully known). A rule applies only when the result
keeps the node's static shape and dtype (fully known shapes for the broadcasting helpers), so
broadcasting and promotion are kept.
"""

from ..graph import Symbol
from .rewriting import rewrite


def run(roots, context):
    def replace(node, inputs, mapped):
        if node.kind != "op":
            return None
        kept = _simplified(node, inputs)
        if isinstance(kept, Symbol) and kept.shape == node.shape and kept.dtype == node.dtype:
            return kept
        return None

    return rewrite(roots, context.graph, replace)


def _simplified(node, inputs):
    op = node.op
    if getattr(op, "neutral", None) is not None:
        neutral, positions = op.neutral
        for position in positions:
            if _equals(inputs[position], neutral):
                return inputs[1 - position]
    if (
        getattr(op, "involution", False)
        and isinstance(inputs[0], Symbol)
        and inputs[0].kind == "op"
        and inputs[0].op is op
    ):
        return inputs[0].inputs[0]
    if getattr(op, "same_shape_identity", False) and isinstance(inputs[0], Symbol) and None not in node.shape:
        return inputs[0]
    return None


def _equals(x, number):
    if isinstance(x, Symbol):
        return x.kind == "constant" and x.value.ndim == 0 and x.value == number
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == number
