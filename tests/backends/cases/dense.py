"""Cases for `dense` and `dense_relu` (Dense's eager step as one op): the numpy composite, on a batch of
rows and on a batch of sequences, with the pre-activations kept clear of relu's kink (|x @ k + b| > 0.36)."""

import numpy

from kerasish.backends.primitives.dense import dense, dense_relu

from . import Case, randn

X, KERNEL, BIAS = randn(3, 4, seed=3), randn(4, 5, seed=4), randn(5, seed=5)
SEQUENCES = randn(2, 3, 4, seed=3)


def _relu(x):
    return numpy.maximum(x, 0)


CASES = [
    Case("dense", dense, [X, KERNEL, BIAS], lambda x, k, b: x @ k + b),
    Case("dense", dense, [SEQUENCES, KERNEL, BIAS], lambda x, k, b: x @ k + b, id="dense-sequences"),
    Case("dense_relu", dense_relu, [X, KERNEL, BIAS], lambda x, k, b: _relu(x @ k + b)),
    Case(
        "dense_relu", dense_relu, [SEQUENCES, KERNEL, BIAS], lambda x, k, b: _relu(x @ k + b), id="dense_relu-sequences"
    ),
]
