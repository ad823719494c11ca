"""LayerNormalization under mixed precision, as Keras's: the layer does not autocast, normalises in float32
(float32 gamma and beta, half precision inputs included) and casts the result to its compute dtype; the
values and dtypes against real Keras, on both engines, and gamma's gradient in float32."""

import os

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from tests.layers.layer_checks import random_inputs

POLICIES = ["mixed_float16", "mixed_bfloat16"]


def _weights(shape):
    rng = numpy.random.default_rng(3)
    return [(rng.standard_normal(shape) + 1).astype("float32"), rng.standard_normal(shape).astype("float32")]


def _outputs_and_gamma_gradient(layer, x, engine):
    def step(x):
        with kerasish.GradientTape() as tape:
            y = layer(x)
            loss = ops.sum(ops.cast(y, "float32") * ops.cast(x, "float32"))
        return y, tape.gradient(loss, layer.gamma)

    if engine == "static":
        return [numpy.asarray(v) for v in kerasish.function(step, engine="static")(x)]
    return [numpy.asarray(v) for v in step(x)]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_mixed_precision_normalises_in_float32(engine, policy, axis):
    if policy == "mixed_bfloat16":
        pytest.importorskip("ml_dtypes")
    x = (random_inputs((4, 3, 8), dtype="float32") * 10 + 100).astype("float32")
    layer = layers.LayerNormalization(axis=axis, dtype=policy)
    layer.build(x.shape)
    layer.set_weights(_weights(layer.gamma.shape))
    y, d_gamma = _outputs_and_gamma_gradient(layer, x, engine)
    half = layer.compute_dtype
    assert (y.dtype.name, layer.gamma.dtype, d_gamma.dtype.name) == (half, "float32", "float32")
    axes = (2,) if axis == -1 else (1, 2)
    gamma, beta = (w.reshape((1, *w.shape) if axis != -1 else w.shape) for w in _weights(layer.gamma.shape))
    mean, variance = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    expected = ((x - mean) / numpy.sqrt(variance + 1e-3) * gamma + beta).astype(half).astype("float32")
    resolution = 2.0 ** -numpy.finfo(half).nmant  # one rounding to the half type
    numpy.testing.assert_allclose(y.astype("float32"), expected, rtol=resolution, atol=resolution)


@pytest.mark.parametrize("policy", POLICIES)
def test_mixed_precision_matches_keras(policy):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    if policy == "mixed_bfloat16":
        pytest.importorskip("ml_dtypes")
    x = (random_inputs((4, 3, 8), dtype="float32") * 10 + 100).astype("float32")
    theirs, ours = keras.layers.LayerNormalization(dtype=policy), layers.LayerNormalization(dtype=policy)
    theirs.build(x.shape)
    ours.build(x.shape)
    for layer in (theirs, ours):
        layer.set_weights(_weights((8,)))
    for inputs in (x, x.astype("float16")):  # float32 inputs, and half precision ones
        expected, got = numpy.asarray(theirs(inputs)), ours(inputs).numpy()
        assert got.dtype == expected.dtype
        resolution = 2.0 ** -numpy.finfo(got.dtype).nmant
        numpy.testing.assert_allclose(
            got.astype("float32"), expected.astype("float32"), rtol=resolution, atol=resolution
        )
