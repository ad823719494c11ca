"""Cases for `sparse_softmax_crossentropy` (sparse categorical cross-entropy from logits as one op; run eagerly,
`checked_sparse_softmax_crossentropy`, which checks the labels itself and for a loss's mean takes the mean too) and
its gradient op, against numpy: class axis last and in the middle, logits far apart, the mean."""

import numpy

from kerasish import ops
from kerasish.backends.primitives.crossentropy import (
    checked_sparse_softmax_crossentropy,
    sparse_softmax_crossentropy_gradient,
)

from . import Case, randn, rng

LABELS = rng(1).integers(0, 4, (2, 3))


def _log_softmax(logits, axis):
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=axis, keepdims=True))


def _one_hot(labels, classes, axis):
    return numpy.moveaxis((labels[..., None] == numpy.arange(classes)).astype(numpy.float64), -1, axis)


def _reference(axis):
    def reference(labels, logits):
        return -(_one_hot(labels, logits.shape[axis], axis) * _log_softmax(logits, axis)).sum(axis=axis)

    return reference


def _gradient_reference(axis):
    def reference(labels, logits, g):
        probabilities = numpy.exp(_log_softmax(logits, axis))
        return numpy.expand_dims(g, axis) * (probabilities - _one_hot(labels, logits.shape[axis], axis))

    return reference


def _loss(axis):
    return lambda labels, logits: ops.sparse_categorical_crossentropy(labels, logits, from_logits=True, axis=axis)


CASES = [
    Case(
        "sparse_softmax_crossentropy",
        _loss(-1),
        [LABELS, randn(2, 3, 4, seed=2) * 3],
        _reference(-1),
        covers=("sparse_softmax_crossentropy_gradient",),
    ),
    Case(
        "checked_sparse_softmax_crossentropy",
        lambda labels, logits: checked_sparse_softmax_crossentropy(labels, logits, axis=1, mean=False),
        [LABELS, randn(2, 4, 3, seed=6) * 3],
        _reference(1),
    ),
    Case(
        "checked_sparse_softmax_crossentropy",
        lambda labels, logits: checked_sparse_softmax_crossentropy(labels, logits, axis=2, mean=True),
        [LABELS, randn(2, 3, 4, seed=7) * 3],
        lambda labels, logits: _reference(2)(labels, logits).mean(),
        id="checked_sparse_softmax_crossentropy-mean",
    ),
    Case(
        "sparse_softmax_crossentropy",
        _loss(1),
        [LABELS, randn(2, 4, 3, seed=3) * 3],
        _reference(1),
        id="sparse_softmax_crossentropy-middle-axis",
    ),
    Case(
        "sparse_softmax_crossentropy",
        _loss(-1),
        [numpy.array([0, 2]), numpy.array([[500.0, 0.0, -500.0], [-1e4, 1e4, 0.0]])],
        lambda labels, logits: numpy.array([0.0, 1e4]),
        grad=False,
        id="sparse_softmax_crossentropy-large-logits",
    ),
    Case(
        "sparse_softmax_crossentropy_gradient",
        lambda labels, logits, g: sparse_softmax_crossentropy_gradient(labels, logits, g, axis=1),
        [LABELS, randn(2, 4, 3, seed=4) * 2, randn(2, 3, seed=5)],
        _gradient_reference(1),
        id="sparse_softmax_crossentropy_gradient-middle-axis",
    ),
]
