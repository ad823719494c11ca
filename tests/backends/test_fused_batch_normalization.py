"""fused_batch_normalization (BatchNormalization's training step): the same values and gradients as
`batch_normalization(x, *moments(x))` on both engines, and gradients that differentiate again."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import GradientTape, Tensor
from kerasish.backends.primitives.normalization import fused_batch_normalization
from kerasish.utils import gradcheck

from .cases import randn

LAYOUTS = [((4, 3, 3, 5), -1), ((4, 5, 3, 3), 1), ((6, 4), -1), ((3, 4, 2), 1)]


def _composed(x, axis, offset, scale):
    others = tuple(i for i in range(len(x.shape)) if i != axis % len(x.shape))
    mean, variance = ops.moments(x, others)
    return ops.batch_normalization(x, mean, variance, axis, offset, scale), mean, variance


def _values_and_gradients(normalize, arrays, direction, engine):
    def step(x, offset, scale):
        with kerasish.GradientTape() as tape:
            tape.watch([x, offset, scale])
            outputs, mean, variance = normalize(x, offset, scale)
            loss = ops.sum(outputs * direction) + ops.sum(mean * variance)
        return [outputs, mean, variance, *tape.gradient(loss, [x, offset, scale])]

    if engine == "static":
        return [numpy.asarray(v) for v in kerasish.function(step, engine="static")(*arrays)]
    return [v.numpy() for v in step(*[Tensor(a) for a in arrays])]


@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_values_and_gradients_match_the_composition(engine, shape, axis):
    channels = shape[axis]
    arrays = [randn(*shape) * 2 + 3, randn(channels, seed=1), randn(channels, seed=2)]
    direction = randn(*shape, seed=3)
    fused = _values_and_gradients(
        lambda x, o, s: fused_batch_normalization(x, axis, o, s, epsilon=1e-3), arrays, direction, engine
    )
    composed = _values_and_gradients(lambda x, o, s: _composed(x, axis, o, s), arrays, direction, engine)
    for got, expected, name in zip(fused, composed, ["outputs", "mean", "variance", "d_x", "d_offset", "d_scale"]):
        numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=name)


def test_float32_stays_float32_and_agrees_with_the_composition(engine):
    arrays = [(randn(8, 5, 5, 6) * 3 + 10).astype("float32"), randn(6, seed=1).astype("float32")]
    arrays.append(randn(6, seed=2).astype("float32"))
    direction = randn(8, 5, 5, 6, seed=3).astype("float32")
    fused = _values_and_gradients(lambda x, o, s: fused_batch_normalization(x, -1, o, s), arrays, direction, engine)
    composed = _values_and_gradients(lambda x, o, s: _composed(x, -1, o, s), arrays, direction, engine)
    for got, expected in zip(fused, composed):
        assert got.dtype == numpy.float32
        numpy.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-5)


def _gradient_of(function, wrt):
    """x, scale -> d sum(function(x, scale) ** 2) / d inputs[wrt], itself differentiable."""

    def gradient(*inputs):
        with GradientTape() as tape:
            tape.watch(inputs[wrt])
            y = function(*inputs)
            loss = ops.sum(y * y * y)
        return tape.gradient(loss, inputs[wrt])

    return gradient


@pytest.mark.parametrize("wrt", [0, 1])
@pytest.mark.parametrize("shape, axis", LAYOUTS[:2])
def test_gradients_differentiate_again(shape, axis, wrt):
    def normalize(x, scale):
        return fused_batch_normalization(x, axis, scale=scale)[0]

    assert gradcheck(_gradient_of(normalize, wrt), [randn(*shape) + 1, randn(shape[axis], seed=1)])


def test_second_order_gradients_agree_on_both_engines():
    arrays = [randn(3, 2, 2, 4) + 1, randn(4, seed=1)]

    def second(x, scale):
        with kerasish.GradientTape() as outer:
            outer.watch([x, scale])
            with kerasish.GradientTape() as inner:
                inner.watch(x)
                y = fused_batch_normalization(x, -1, scale=scale)[0]
                loss = ops.sum(y * y * y)
            d_x = inner.gradient(loss, x)
            projected = ops.sum(d_x * d_x)
        return outer.gradient(projected, [x, scale])

    dynamic = [g.numpy() for g in second(*[Tensor(a) for a in arrays])]
    static = kerasish.function(second, engine="static")(*arrays)
    for got, expected in zip(static, dynamic):
        numpy.testing.assert_allclose(numpy.asarray(got), expected, rtol=1e-9, atol=1e-12)
