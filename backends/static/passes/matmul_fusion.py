"""matmul + bias + activation fusion: `act(matmul(x, w) + b)` (or without the activation) becomes
one MatmulBias node that adds the bias and applies the activation in the matmul's own result; the same
for an einsum of two operands (a dense or attention projection, EinsumDense), whose result is a new
array too: numpy's einsum returns a view of its operand only for one operand, and `_contract_pair`'s
transposed view is of its own new product (MatmulBias still copies a result that may share an operand's
memory, for a backend whose einsum would return one).

Applies when the product and the add have no other user, the add keeps the product's static shape
and dtype (the bias broadcasts into it), the product is not a scalar (numpy's vector dot product is
a numpy scalar, which cannot be written into), and the activation is a registered primitive of one
input with a fused link (relu, tanh, exp, ...).
"""

from ...primitives.linalg import einsum_product
from ...primitives.registry import PRIMITIVES, ops
from ..fused import MATMUL_BIAS
from ..graph import Symbol
from ..walk import consumers, topological
from .rewriting import rebuild, rewrite


def run(roots, context):
    add, products = ops.add, (ops.matmul, einsum_product)  # the primitives themselves
    order = topological(roots)
    uses = consumers(order, roots)

    def biased(node):
        """The (matmul node, bias) of an add node that qualifies, else None."""
        if node.kind != "op" or node.op is not add:
            return None
        for position in (0, 1):
            product, bias = node.inputs[position], node.inputs[1 - position]
            if (
                isinstance(product, Symbol)
                and product.op in products
                and len(product.inputs) == 2
                and uses.get(id(product)) == 1
                and product.shape
                and product.shape == node.shape
                and product.dtype == node.dtype
            ):
                return product, bias
        return None

    def activation_of(node):
        name = getattr(node.op, "name", None)
        qualifies = (
            node.kind == "op"
            and node.op is PRIMITIVES.get(name)
            and node.op.fusion is not None
            and len(node.inputs) == 1
            and not node.attrs
            and isinstance(node.inputs[0], Symbol)
            and uses.get(id(node.inputs[0])) == 1
        )
        return name if qualifies and biased(node.inputs[0]) else None

    feeding = {id(node.inputs[0]) for node in order if activation_of(node)}

    def replace(node, inputs, mapped):
        activation = activation_of(node)
        if activation:
            return _fused(node, biased(node.inputs[0]), activation, mapped, context.graph)
        pair = biased(node)
        if pair and id(node) not in feeding:
            return _fused(node, pair, None, mapped, context.graph)
        return None

    return rewrite(roots, context.graph, replace)


def _fused(node, pair, activation, mapped, graph):
    product, bias = pair
    attrs = {
        "product": product.op,
        "activation": activation,
        "attributes": tuple(sorted(product.attrs.items())),
        "exact": None not in node.shape,
    }
    return rebuild(
        node,
        (mapped(product.inputs[0]), mapped(product.inputs[1]), mapped(bias)),
        graph,
        op=MATMUL_BIAS,
        attrs=attrs,
        name=f"fused_{node.name}",
    )
