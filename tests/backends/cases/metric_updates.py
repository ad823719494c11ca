"""Cases for `accumulate` (a running total's update, `total + value * weight`, as one op): scalars, as the loss
tracker adds them, and broadcasting arrays."""

import numpy

from kerasish.backends.primitives.metric_updates import _accumulate

from . import Case, randn

CASES = [
    Case(
        "accumulate",
        _accumulate,
        [numpy.array(2.5), numpy.array(0.75), numpy.array(8.0)],
        lambda total, value, weight: total + value * weight,
    ),
    Case(
        "accumulate",
        _accumulate,
        [randn(3, 4), randn(4, seed=1), randn(3, 1, seed=2)],
        lambda total, value, weight: total + value * weight,
        id="accumulate-broadcast",
    ),
]
