"""select and get_item (backends/primitives/selection.py)."""

import numpy
import pytest

from kerasish import ops

from .engines import gradients
from .keras_parity import assert_matches_keras

X = numpy.random.default_rng(0).standard_normal((3, 4)).astype("float32")


def test_select_matches_keras():
    assert_matches_keras("select", [X > 0.5, X < -0.5], [X, -X], 7.0)
    assert_matches_keras("select", [X > 0], [X])


def test_select_gradient_reaches_the_chosen_values(engine):
    (grad,), direction = gradients(engine, lambda t: ops.select([ops.greater(t, 0.5)], [t * 3.0], 0.0), X)
    numpy.testing.assert_allclose(grad, numpy.where(X > 0.5, 3.0 * direction, 0.0))


def test_select_refuses_mismatched_lists():
    with pytest.raises(ValueError, match="select: condlist and choicelist must be lists"):
        ops.select(X > 0, X)
    with pytest.raises(ValueError, match="select: condlist and choicelist must not be empty"):
        ops.select([], [])
    with pytest.raises(ValueError, match="select: condlist and choicelist must have the same length"):
        ops.select([X > 0], [X, X])


def test_get_item_matches_keras():
    assert_matches_keras("get_item", X, (slice(1, None), 2))
    assert_matches_keras("get_item", X, 1)
