"""Algebraic simplification: identities that leave a node's value, shape and dtype unchanged.

x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1, -(-x), and the broadcasting helpers of gradients
(`sum_to`, `broadcast_like`) when both shapes are the same and fully known. A rule applies only
when the result keeps the node's static shape and dtype (fully known shapes for the broadcasting
helpers), so broadcasting and promotion are kept.
"""

from ..graph import Symbol
from .rewriting import rewrite

_NEUTRAL = {"add": (0, (0, 1)), "subtract": (0, (1,)), "multiply": (1, (0, 1)), "divide": (1, (1,))}


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
    name = node.op.name
    if name in _NEUTRAL:
        neutral, positions = _NEUTRAL[name]
        for position in positions:
            if _equals(inputs[position], neutral):
                return inputs[1 - position]
    if name == "negative" and isinstance(inputs[0], Symbol) and inputs[0].kind == "op" \
            and inputs[0].op.name == "negative":
        return inputs[0].inputs[0]
    if name in ("sum_to", "broadcast_like") and isinstance(inputs[0], Symbol) and None not in node.shape:
        return inputs[0]
    return None


def _equals(x, number):
    if isinstance(x, Symbol):
        return x.kind == "constant" and x.value.ndim == 0 and x.value == number
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == number
