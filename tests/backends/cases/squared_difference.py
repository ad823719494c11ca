"""Cases for `mean_squared_difference` (mean squared error's per-sample values as one op) and its gradient op:
the numpy composite, with operands of the same shape and broadcasting ones."""

import numpy

from kerasish.backends.primitives.squared_difference import (
    mean_squared_difference,
    mean_squared_difference_gradient,
)

from . import Case, randn

A, B = randn(3, 4, seed=1), randn(3, 4, seed=2)
ROW, SEQUENCES = randn(4, seed=3), randn(2, 3, 4, seed=4)
G, G_SEQUENCES = randn(3, seed=5), randn(2, 3, seed=6)


def _reference(a, b):
    return numpy.mean(numpy.square(a - b), axis=-1)


def _gradient_reference(negate):
    def reference(g, a, b):
        difference = a - b
        gradient = numpy.expand_dims(g, -1) / difference.shape[-1] * 2 * difference
        return -gradient if negate else gradient

    return reference


CASES = [
    Case("mean_squared_difference", mean_squared_difference, [A, B], _reference),
    Case(
        "mean_squared_difference",
        mean_squared_difference,
        [SEQUENCES, ROW],
        _reference,
        id="mean_squared_difference-broadcast",
    ),
    Case(
        "mean_squared_difference_gradient",
        lambda g, a, b: mean_squared_difference_gradient(g, a, b, negate=False),
        [G, A, B],
        _gradient_reference(False),
    ),
    Case(
        "mean_squared_difference_gradient",
        lambda g, a, b: mean_squared_difference_gradient(g, a, b, negate=True),
        [G_SEQUENCES, SEQUENCES, ROW],
        _gradient_reference(True),
        id="mean_squared_difference_gradient-negated-broadcast",
    ),
]
