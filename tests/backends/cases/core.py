"""Cases for elementwise, reduction, linear-algebra and shape primitives."""
import numpy

from kerasish import ops

from . import Case, randn

CASES = [
    Case("add", ops.add, [randn(3, 4), randn(4, seed=1)], numpy.add, id="add-broadcast"),
    Case("subtract", ops.subtract, [randn(3, 1), randn(1, 4, seed=1)], numpy.subtract),
    Case("multiply", ops.multiply, [randn(2, 3), randn(2, 3, seed=1)], numpy.multiply),
    Case("divide", ops.divide, [randn(2, 3), randn(3, seed=1) + 3], numpy.divide),
    Case("negative", ops.negative, [randn(5)], numpy.negative),
    Case("exp", ops.exp, [randn(5)], numpy.exp),
    Case("tanh", ops.tanh, [randn(5)], numpy.tanh),
    Case("relu", ops.relu, [randn(5) + 0.05], lambda x: numpy.maximum(x, 0)),
    Case("ones_like", ops.ones_like, [randn(2, 3)], numpy.ones_like, grad=False),
    Case("zeros_like", ops.zeros_like, [randn(2, 3)], numpy.zeros_like, grad=False),
    Case("greater", ops.greater, [randn(4), randn(4, seed=1)], numpy.greater, grad=False),
    Case("equal", ops.equal, [numpy.array([1.0, 2.0]), numpy.array([1.0, 3.0])], numpy.equal, grad=False),
    Case("not_equal", ops.not_equal, [numpy.array([1.0, 2.0]), numpy.array([1.0, 3.0])], numpy.not_equal,
         grad=False),
    Case("sum", lambda x: ops.sum(x, axis=1), [randn(3, 4)], lambda x: x.sum(axis=1), covers=("broadcast_like",)),
    Case("sum", lambda x: ops.sum(x, axis=(0, 2), keepdims=True), [randn(2, 3, 4)],
         lambda x: x.sum(axis=(0, 2), keepdims=True), id="sum-keepdims"),
    Case("sum_to", lambda x: ops.add(x, numpy.zeros((2, 3), "float32")), [randn(3)], lambda x: x + numpy.zeros((2, 3)),
         id="sum_to-via-broadcast-add"),
]
