"""switch (backends/primitives/control_flow.py): the clipped index picks the branch, eagerly and in a graph."""

import numpy
import pytest

from kerasish import ops

from .engines import gradients, run
from .keras_parity import assert_matches_keras

X = numpy.array([1.0, -2.0], "float32")
BRANCHES = [lambda x, y: x * y, lambda x, y: x + y, lambda x, y: -x]


@pytest.mark.parametrize("index", [-3, 0, 1, 2, 9])
def test_switch_clips_the_index_as_keras(index, engine):
    assert_matches_keras("switch", index, BRANCHES, X, 3.0)
    got = run(engine, lambda i, x: ops.switch(i, BRANCHES, x, 3.0), numpy.int32(index), X)
    numpy.testing.assert_allclose(
        got, ops.convert_to_numpy(BRANCHES[min(max(index, 0), 2)](ops.convert_to_tensor(X), 3.0))
    )


def test_switch_passes_gradients_through_the_chosen_branch(engine):
    (_, grad), direction = gradients(
        engine, lambda i, x: ops.switch(i, BRANCHES, x, 3.0), numpy.int32(0), X.astype("float64")
    )
    numpy.testing.assert_allclose(grad, 3.0 * direction)


def test_switch_needs_branches():
    with pytest.raises(ValueError, match="switch: `branches` must hold at least one function"):
        ops.switch(0, [], X)


def test_a_cond_nested_in_a_cond_has_gradients_on_the_static_engine():
    """The outer cond's gradient copies the inner cond into its own branch, components and all."""

    def nested(i, x):
        inner = lambda: ops.cond(ops.less_equal(i, 1), lambda: x * x + 3.0, lambda: -x)  # noqa: E731
        return ops.cond(ops.less_equal(i, 0), lambda: x * 3.0, inner)

    x = numpy.array([1.0, 2.0])
    for index, expected in [(0, [3.0, 3.0]), (1, [2.0, 4.0]), (2, [-1.0, -1.0])]:
        (_, grad), direction = gradients("static", nested, numpy.int32(index), x)
        numpy.testing.assert_allclose(grad, direction * expected)


def test_switch_refuses_an_index_that_is_no_integer():
    with pytest.raises(TypeError, match="switch: `index` must be an integer scalar, received 'a'"):
        ops.switch("a", BRANCHES, X, 3.0)
