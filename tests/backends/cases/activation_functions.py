"""Cases for the activations Keras 3 adds beside relu and elu (celu, hard_tanh, the shrinks, threshold,
sparse_plus, sparse_sigmoid, squareplus, sparsemax) and for erfc/erfinv. References are numpy formulas; the
inputs keep clear of the kinks, where finite differences say nothing."""

import math

import numpy

from kerasish import ops

from . import Case, randn

# Away from +-1 and +-0.5 (the kinks of hard_tanh, sparse_* and the shrinks at their default threshold).
SMOOTH = numpy.array([-2.7, -1.6, -0.8, -0.3, -0.1, 0.2, 0.35, 0.7, 1.3, 2.2])


def _erfinv(y):
    """Newton on math.erf, in float64."""
    result = numpy.zeros_like(y)
    for index, value in numpy.ndenumerate(y):
        x = 0.0
        for _ in range(100):
            x -= (math.erf(x) - value) / (2 / math.sqrt(math.pi) * math.exp(-x * x))
        result[index] = x
    return result


def _sparsemax(x, axis):
    x = numpy.moveaxis(x, axis, -1)
    ordered = -numpy.sort(-x, axis=-1)
    ranks = numpy.arange(1, x.shape[-1] + 1)
    totals = numpy.cumsum(ordered, axis=-1)
    size = numpy.sum(1 + ranks * ordered > totals, axis=-1, keepdims=True)
    threshold = (numpy.take_along_axis(totals, size - 1, axis=-1) - 1) / size
    return numpy.moveaxis(numpy.maximum(x - threshold, 0), -1, axis)


CASES = [
    Case(
        "celu",
        lambda x: ops.celu(x, alpha=0.7),
        [SMOOTH],
        lambda x: numpy.maximum(x, 0) + 0.7 * numpy.expm1(numpy.minimum(x, 0) / 0.7),
    ),
    Case("hard_tanh", ops.hard_tanh, [SMOOTH], lambda x: numpy.clip(x, -1, 1)),
    Case("hard_shrink", ops.hard_shrink, [SMOOTH], lambda x: numpy.where(numpy.abs(x) > 0.5, x, 0)),
    Case(
        "soft_shrink",
        lambda x: ops.soft_shrink(x, threshold=0.25),
        [SMOOTH],
        lambda x: numpy.sign(x) * numpy.maximum(numpy.abs(x) - 0.25, 0),
    ),
    Case(
        "threshold",
        lambda x: ops.threshold(x, 0.3, -2.0),
        [SMOOTH],
        lambda x: numpy.where(x > 0.3, x, -2.0),
    ),
    Case(
        "sparse_plus",
        ops.sparse_plus,
        [SMOOTH],
        lambda x: numpy.where(x <= -1, 0, numpy.where(x < 1, (x + 1) ** 2 / 4, x)),
    ),
    Case("sparse_sigmoid", ops.sparse_sigmoid, [SMOOTH], lambda x: numpy.clip((x + 1) / 2, 0, 1)),
    Case(
        "squareplus",
        lambda x: ops.squareplus(x, b=2),
        [SMOOTH],
        lambda x: (x + numpy.sqrt(x * x + 2)) / 2,
    ),
    Case(
        "sigmoid",
        lambda x: ops.glu(x, axis=0),
        [randn(4, 3)],
        lambda x: x[:2] / (1 + numpy.exp(-x[2:])),
        id="glu",
    ),
    Case(
        "tanh",
        ops.tanh_shrink,
        [randn(5)],
        lambda x: x - numpy.tanh(x),
        id="tanh_shrink",
    ),
    Case("sparsemax", ops.sparsemax, [randn(3, 5)], lambda x: _sparsemax(x, -1)),
    Case("sparsemax", lambda x: ops.sparsemax(x, axis=0), [randn(4, 3)], lambda x: _sparsemax(x, 0), id="sparsemax-0"),
    Case(
        "erfc",
        ops.erfc,
        [randn(6) * 2],
        lambda x: numpy.array([math.erfc(v) for v in x]),
        atol=1e-6,
    ),
    Case("erfinv", ops.erfinv, [numpy.linspace(-0.95, 0.95, 9)], _erfinv, atol=1e-5),
]
