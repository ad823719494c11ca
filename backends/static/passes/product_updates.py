"""SGD updates whose gradient is a matrix product: `c - matmul(a, b) * learning_rate` (plain SGD, the weight
a Dense layer's kernel gradient `matmul(transpose(x), g)` updates) and `c * momentum - matmul(a, b) *
learning_rate` (the momentum's update) become one ProductUpdate node. Once inplace_updates has it write into
c's storage, it is one BLAS gemm into the variable: the gradient is never written out and read back.

Applies when the product and each intermediate have no other reader (so Nesterov's update, which reads
`gradient * learning_rate` twice, keeps its ops), a and b are 2-D, every array has the update's dtype, c has
the update's fully known shape, of at least `blas.SMALLEST` values, and the learning rate and momentum are
scalars (numbers or 0-d values of that dtype). Runs before elementwise_fusion, which would otherwise take the
multiply and subtract into a chain.
"""

from ...kernels import blas
from ...primitives.registry import ops
from ..fused import PRODUCT_UPDATE
from ..graph import Symbol
from ..walk import consumers, topological
from .rewriting import rebuild, rewrite


def run(roots, context):
    order = topological(roots)
    uses = consumers(order, roots)

    def alike(x, node):
        """An op node of `node`'s shape and dtype that nothing else reads."""
        return (
            isinstance(x, Symbol)
            and x.kind == "op"
            and uses.get(id(x)) == 1
            and x.shape == node.shape
            and x.dtype == node.dtype
        )

    def scalar(x, dtype):
        if isinstance(x, Symbol):
            return x.shape == () and x.dtype == dtype
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    def scaled(x, node):
        """(array, scalar) of `array * scalar` or `scalar * array`, an intermediate only `node` reads, else None."""
        if not (alike(x, node) and x.op is ops.multiply):
            return None
        for position in (0, 1):
            array, factor = x.inputs[position], x.inputs[1 - position]
            if isinstance(array, Symbol) and array.shape == node.shape and scalar(factor, node.dtype):
                return array, factor
        return None

    def scaled_product(x, node):
        """(a, b, learning_rate) of `matmul(a, b) * learning_rate`, else None."""
        found = scaled(x, node)
        if found is None:
            return None
        product, rate = found
        if not (alike(product, node) and product.op is ops.matmul and not product.attrs):
            return None
        a, b = product.inputs
        if all(isinstance(o, Symbol) and len(o.shape) == 2 and o.dtype == node.dtype for o in (a, b)):
            return a, b, rate
        return None

    def replace(node, inputs, mapped):
        if not (
            node.kind == "op"
            and node.op is ops.subtract
            and len(node.shape) == 2
            and None not in node.shape
            and node.dtype.kind == "f"
            and node.shape[0] * node.shape[1] >= blas.SMALLEST
        ):
            return None
        c, update = node.inputs
        found = scaled_product(update, node)
        if found is None or not (isinstance(c, Symbol) and c.shape == node.shape and c.dtype == node.dtype):
            return None
        a, b, rate = found
        momentum = scaled(c, node)
        if momentum is not None and momentum[0].dtype != node.dtype:
            momentum = None
        operands = (c, a, b, rate) if momentum is None else (momentum[0], a, b, rate, momentum[1])
        return rebuild(
            node,
            tuple(mapped(x) for x in operands),
            context.graph,
            op=PRODUCT_UPDATE,
            attrs={},
            name=f"fused_{node.name}",
        )

    return rewrite(roots, context.graph, replace)
