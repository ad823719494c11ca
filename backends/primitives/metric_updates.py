"""A running total's update as one op: `total + value * weight` (`accumulate`), as a `Mean` metric adds each
step's value weighed by its sample count (the loss tracker, every training step).

The forward runs multiply's and add's own kernels in their order, so the sum is rounded as the two separate ops
round it. Static plans see and fuse the separate ops themselves, so `accumulate` writes those when traced.
"""

from ..dispatch import traced
from .registry import PRIMITIVES, ops, primitive


def _forward(xp, total, value, weight):
    total = PRIMITIVES["add"].forward(xp, total, PRIMITIVES["multiply"].forward(xp, value, weight))
    return xp.asarray(total)  # numpy's scalar for 0-d operands as a 0-d array: a Variable adopts it without a copy


def _infer(shapes, dtypes):
    product = PRIMITIVES["multiply"].infer(shapes[1:], dtypes[1:])
    return PRIMITIVES["add"].infer((shapes[0], product[0]), (dtypes[0], product[1]))


def _vjp(g, inputs, output, needs):
    _, value, weight = inputs
    return g, g * weight if needs[1] else None, g * value if needs[2] else None


_accumulate = primitive("accumulate", _forward, _vjp, _infer, saves=(1, 2), fresh=True)


def accumulate(total, value, weight):
    """`total + value * weight`: one op run eagerly, the multiply and the add traced."""
    if traced(value):
        return ops.add(total, ops.multiply(value, weight))
    return _accumulate(total, value, weight)
