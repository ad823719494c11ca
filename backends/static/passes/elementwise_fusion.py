"""Elementwise fusion: a chain of elementwise primitives becomes one FusedElementwise node.

A node joins the chain of one of its inputs when that input is itself a fusable elementwise node
with no other user, the same static shape (not a scalar) and the same dtype, so each link can write
into the previous link's buffer. Only registered primitives with a `fusion` link fuse.
"""

from ...primitives.registry import PRIMITIVES
from ..fused import FUSED_ELEMENTWISE
from ..graph import Symbol
from ..walk import consumers, topological
from .rewriting import rebuild, rewrite


def run(roots, context):
    order = topological(roots)
    uses = consumers(order, roots)
    previous = {}
    for node in order:
        if fusable(node):
            link = next(
                (
                    x
                    for x in node.inputs
                    if isinstance(x, Symbol)
                    and fusable(x)
                    and uses.get(id(x)) == 1
                    and x.shape == node.shape
                    and x.dtype == node.dtype
                ),
                None,
            )
            if link is not None:
                previous[id(node)] = link
    if not previous:
        return roots
    interior = {id(link) for link in previous.values()}

    def replace(node, inputs, mapped):
        if id(node) in previous and id(node) not in interior:
            return _fuse(node, previous, mapped, context.graph)
        return None

    return rewrite(roots, context.graph, replace)


def fusable(node):
    """A registered primitive with a fused link, float, not a scalar, every array input of its dtype
    (so writing each link into the chain's buffer cannot change a result's dtype)."""
    return (
        node.kind == "op"
        and not node.attrs
        and node.dtype.kind == "f"
        and node.shape != ()
        and node.op is PRIMITIVES.get(getattr(node.op, "name", None))
        and node.op.fusion is not None
        and all(x.dtype == node.dtype for x in node.inputs if isinstance(x, Symbol))
    )


def _fuse(tail, previous, mapped, graph):
    chain = [tail]
    while id(chain[-1]) in previous:
        chain.append(previous[id(chain[-1])])
    chain.reverse()
    inputs, program = [], []
    for position, node in enumerate(chain):
        operands = []
        for x in node.inputs:
            if position and x is chain[position - 1]:
                operands.append(-1)
                continue
            value = mapped(x)
            index = next((i for i, known in enumerate(inputs) if known is value), None)
            if index is None:
                inputs.append(value)
                index = len(inputs) - 1
            operands.append(index)
        program.append((node.op.name, tuple(operands)))
    exact = None not in tail.shape and all(isinstance(x, Symbol) and x.shape == tail.shape for x in inputs)
    return rebuild(
        tail,
        tuple(inputs),
        graph,
        op=FUSED_ELEMENTWISE,
        attrs={"program": tuple(program), "exact": exact},
        name=f"fused_{tail.name}",
    )
