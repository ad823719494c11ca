"""Convolution epilogues: `act(affine(product(x, kernel) + bias))`, any of the three after the product, becomes
one ProductEpilogue node that applies them in place, block by block, in the product's own result.

`product` is a primitive with an `epilogue` (windows_matmul: a convolution's windows times its kernel), `affine`
one with a `channel_affine` fact along the last axis (inference batch normalization: its scale and shift are
computed from its statistics and parameters on each call) and `act` a one-input primitive with a fused link
(relu). Applies only where each intermediate result has no other reader: a training graph reads the
convolution's output again (the batch statistics, the gradients), so only inference folds. The bias must be
one value per channel (shape (channels,) or ones then channels), so it cannot grow the result; a product's
own bias (a convolution layer's, its third input) joins it.
"""

from ...primitives.registry import PRIMITIVES, ops
from ..fused import PRODUCT_EPILOGUE
from ..graph import Symbol
from ..walk import consumers, topological
from .rewriting import rebuild, rewrite


def run(roots, context):
    order = topological(roots)
    uses = consumers(order, roots)

    def only_reader(node):
        """The node's single input, when that input is an op read by nothing else."""
        source = node.inputs[0] if node.inputs else None
        if isinstance(source, Symbol) and source.kind == "op" and uses.get(id(source)) == 1:
            return source
        return None

    def product(node):
        return node.kind == "op" and getattr(node.op, "epilogue", False)

    def biased(node):
        """(product, bias) of `product + bias` with one bias value per channel, else None."""
        if node.kind != "op" or node.op is not ops.add:
            return None
        for position in (0, 1):
            source, bias = node.inputs[position], node.inputs[1 - position]
            if (
                isinstance(source, Symbol)
                and isinstance(bias, Symbol)
                and product(source)
                and uses.get(id(source)) == 1
                and source.shape == node.shape
                and source.dtype == node.dtype
                and bias.shape
                and bias.shape[-1] == node.shape[-1] is not None
                and set(bias.shape[:-1]) <= {1}
            ):
                return source, bias
        return None

    def below_affine(node):
        """(product, bias or None) under an affine op's input."""
        if product(node):
            return node, None
        return biased(node)

    def affine(node):
        """(affine node, product, bias) of an affine op along the last axis over a product, else None."""
        if node.kind != "op" or getattr(node.op, "channel_affine", None) is None:
            return None
        source = only_reader(node)
        if source is None or node.attrs.get("axis") != len(node.shape) - 1 or source.shape != node.shape:
            return None
        pair = below_affine(source)
        return (node, *pair) if pair else None

    def activated(node):
        """(activation name, affine node or None, product, bias or None) of an activation over the rest."""
        name = getattr(node.op, "name", None)
        if not (
            node.kind == "op"
            and node.op is PRIMITIVES.get(name)
            and node.op.fusion is not None
            and len(node.inputs) == 1
            and not node.attrs
        ):
            return None
        source = only_reader(node)
        if source is None:
            return None
        found = affine(source) or ((None, *biased(source)) if biased(source) else None)
        if found is None and product(source):
            found = (None, source, None)
        return (name, *found) if found else None

    def chain(node):
        """(activation, affine, product, bias) ending at `node`, or None."""
        found = activated(node)
        if found:
            return found
        found = affine(node)
        if found:
            return (None, *found)
        pair = biased(node)
        return (None, None, *pair) if pair else None

    def replace(node, inputs, mapped):
        found = chain(node)  # an inner node of a longer chain is replaced too, but nothing reads it then
        if not found:
            return None
        activation, affine_node, source, bias = found
        vectors = tuple(mapped(x) for x in affine_node.inputs[1:]) if affine_node is not None else ()
        biases = tuple(mapped(b) for b in (*source.inputs[2:], *(() if bias is None else (bias,))))
        attrs = {
            "product": source.op,
            "product_attributes": tuple(sorted(source.attrs.items())),
            "biases": len(biases),
            "affine": affine_node.op if affine_node is not None else None,
            "affine_attributes": tuple(sorted(affine_node.attrs.items())) if affine_node is not None else (),
            "activation": activation,
        }
        operands = (mapped(source.inputs[0]), mapped(source.inputs[1]), *biases, *vectors)
        return rebuild(node, operands, context.graph, op=PRODUCT_EPILOGUE, attrs=attrs, name=f"fused_{node.name}")

    return rewrite(roots, context.graph, replace)
