"""The gradient of sum and mean as one op (`spread_reduced`): the same values as the composite it replaced
(restore the reduced axes, broadcast, divide by the count), on both engines, to second order, and with
dimensions the static shape does not know."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.primitives import PRIMITIVES

from ..ops.engines import assert_gradients_match_finite_differences, gradients, run

X = numpy.random.default_rng(3).standard_normal((4, 3, 5))
AXES = [None, 0, -1, (0, 2), (1,)]


def _composite_gradient(x, axis, keepdims, mean, direction):
    """What the rule computed before: the direction with the reduced axes restored, broadcast, / count."""
    spread = direction if keepdims or axis is None else numpy.expand_dims(direction, axis)
    count = x.size // max(numpy.size(direction), 1) if mean else 1
    return numpy.broadcast_to(spread, x.shape) / count


@pytest.mark.parametrize("mean", [False, True], ids=["sum", "mean"])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES)
def test_reduction_gradient_is_the_composite_one(engine, axis, keepdims, mean):
    reduce = ops.mean if mean else ops.sum
    (grad,), direction = gradients(engine, lambda v: reduce(v, axis=axis, keepdims=keepdims), X)
    assert grad.shape == X.shape
    numpy.testing.assert_allclose(grad, _composite_gradient(X, axis, keepdims, mean, direction), rtol=1e-12, atol=0)


@pytest.mark.parametrize("mean", [False, True], ids=["sum", "mean"])
def test_float32_gradient_stays_float32(engine, mean):
    reduce = ops.mean if mean else ops.sum

    def gradient(x):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            value = ops.sum(reduce(ops.square(x), axis=1))
        return tape.gradient(value, x)

    x = X.astype("float32")
    grad = run(engine, gradient, x)
    assert grad.dtype == numpy.float32
    numpy.testing.assert_allclose(grad, 2 * x / (x.shape[1] if mean else 1), rtol=1e-6)


@pytest.mark.parametrize("mean", [False, True], ids=["sum", "mean"])
def test_second_order_gradients_match_finite_differences(engine, mean):
    reduce = ops.mean if mean else ops.sum

    def first_gradient(x):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            value = reduce(ops.square(ops.sin(x)), axis=1)
            value = ops.sum(ops.square(value))
        return tape.gradient(value, x)

    assert_gradients_match_finite_differences(engine, first_gradient, X[:, :, 0])


@pytest.mark.parametrize("mean", [False, True], ids=["sum", "mean"])
def test_unknown_batch_dimension_is_counted_at_run_time(mean):
    reduce = ops.mean if mean else ops.sum
    x = static.placeholder((None, 5), "float32")
    (grad,) = static.gradients(ops.sum(reduce(ops.square(x), axis=0)), [x])
    assert tuple(grad.shape) == (None, 5)
    compiled = static.function([x], [grad])
    for rows in (4, 7):
        array = X.reshape(-1, 5)[:rows].astype("float32")
        expected = 2 * array / (rows if mean else 1)
        numpy.testing.assert_allclose(compiled(array)[0], expected, rtol=1e-6)


def test_a_gradient_of_the_wrong_shape_is_refused_by_name(engine):
    spread = PRIMITIVES["spread_reduced"]
    like = numpy.zeros((4, 3), "float32")
    with pytest.raises(ValueError, match=r"spread_reduced: a gradient of shape \(3, 4\)"):
        run(engine, lambda g: spread(g, like, axis=None, keepdims=True), numpy.ones((3, 4), "float32"))
