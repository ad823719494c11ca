"""Constant folding: a node whose value is fixed at compile time is computed once, then.

That is a node whose inputs are all constants, and also a node whose only non-constant inputs are
read for their static shape alone (the primitive's `shape_only` inputs), when that shape is fully
known: `ones_like`/`zeros_like` of anything, and the helpers `broadcast_like`/`sum_to`/`reshape_like`/
`getitem_grad` of a constant (gradient seeds flowing back through broadcasts, reshapes and indexing).
Value checks are left to run time, so a bad constant raises when the function runs, as on the dynamic
engine, not when it compiles.
"""

import numpy

from ... import device
from ..graph import Symbol
from .rewriting import rebuild, rewrite


def run(roots, context):
    def replace(node, inputs, mapped):
        if node.kind != "op" or node.dtype.kind == "O" or getattr(node.op, "checks", False) or not _fixed(node, inputs):
            return None
        arrays = [_value(x) for x in inputs]
        value = device.to_numpy(node.op.forward(numpy, *arrays, **node.attrs))
        return rebuild(node, (), context.graph, kind="constant", op=None, attrs={}, value=numpy.asarray(value))

    return rewrite(roots, context.graph, replace)


def _fixed(node, inputs):
    shape_only = node.op.shape_only if _registered(node) else ()
    return all(_constant(x) or (position in shape_only and None not in x.shape) for position, x in enumerate(inputs))


def _registered(node):
    from ...primitives.registry import PRIMITIVES

    return PRIMITIVES.get(node.op.name) is node.op


def _constant(x):
    return not isinstance(x, Symbol) or x.kind == "constant"


def _value(x):
    if not isinstance(x, Symbol):
        return x
    if x.kind == "constant":
        return x.value
    return numpy.zeros(x.shape, x.dtype)  # read for its shape only
