"""The fused LSTM/GRU path (use_cudnn="auto" or True): the same outputs, states and
gradients as the per-step path (use_cudnn=False) on both engines, Keras's errors, and no second order."""

import importlib
import os

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from tests.layers.layer_checks import as_list, check_gradients, random_inputs

LSTM_CASES = [
    dict(),
    dict(return_sequences=True, return_state=True),
    dict(go_backwards=True, return_sequences=True),
    dict(dropout=0.4, seed=3, return_state=True),
    dict(unit_forget_bias=False, go_backwards=True, return_state=True),
]
GRU_CASES = [
    dict(),
    dict(return_sequences=True, return_state=True),
    dict(go_backwards=True, return_sequences=True),
    dict(dropout=0.4, seed=3),
]
CASES = [("LSTM", kwargs) for kwargs in LSTM_CASES] + [("GRU", kwargs) for kwargs in GRU_CASES]


def _outputs_and_gradients(layer, arrays, engine, training=True):
    """The layer's outputs and the gradients of a fixed projection of them (inputs, then trainable weights)."""
    rng = numpy.random.default_rng(5)
    directions = None

    def run(*xs):
        with kerasish.GradientTape() as tape:
            tape.watch(list(xs))
            outputs = as_list(layer(list(xs) if len(xs) > 1 else xs[0], training=training))
            loss = sum(ops.sum(ops.multiply(y, d)) for y, d in zip(outputs, directions))
        return outputs, tape.gradient(loss, list(xs) + layer.trainable_weights)

    first = layer(list(arrays) if len(arrays) > 1 else arrays[0], training=training)
    directions = [rng.standard_normal(tuple(y.shape)).astype(y.dtype) for y in as_list(first)]
    if engine == "static":
        outputs, grads = kerasish.function(run, engine="static")(*arrays)
    else:
        outputs, grads = run(*[Tensor(a) for a in arrays])
    return [numpy.asarray(y) for y in outputs], [numpy.asarray(g) for g in grads]


def _pair(name, kwargs, dtype):
    """A fused layer and a per-step one with the same weights."""
    fused = getattr(layers, name)(4, dtype=dtype, **kwargs)
    general = getattr(layers, name)(4, dtype=dtype, use_cudnn=False, **kwargs)
    return fused, general


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{name}-{sorted(kwargs)}" for name, kwargs in CASES])
def test_fused_path_matches_the_per_step_path(name, kwargs, engine, monkeypatch):
    x = random_inputs((3, 5, 2), seed=2)
    fused, general = _pair(name, kwargs, "float64")
    fused(x)
    general(x)
    general.set_weights(fused.get_weights())
    op = f"{name.lower()}_sequence"
    calls = []
    layer_module = importlib.import_module(f"kerasish.layers.rnn.{name.lower()}")
    original = getattr(layer_module, op)
    monkeypatch.setattr(layer_module, op, lambda *arguments: calls.append(op) or original(*arguments))
    ours = _outputs_and_gradients(fused, [x], engine)
    assert calls, "the fused layer did not run the fused recurrence"
    calls.clear()
    theirs = _outputs_and_gradients(general, [x], engine)
    assert not calls, "use_cudnn=False ran the fused recurrence"
    for a, b in zip(as_list(fused(x)), as_list(general(x))):  # inference runs the fused path too
        numpy.testing.assert_allclose(numpy.asarray(a), numpy.asarray(b), rtol=1e-10, atol=1e-12)
    assert calls
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        numpy.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_fused_path_in_float32_and_with_an_initial_state(name, engine):
    x = random_inputs((4, 6, 3), seed=4, dtype="float32")
    states = [random_inputs((4, 4), seed=5 + k, dtype="float32") for k in range(2 if name == "LSTM" else 1)]
    fused, general = _pair(name, dict(return_sequences=True, return_state=True), "float32")

    def call(layer):
        class WithState(kerasish.layers.Layer):
            def call(self, inputs, training=False):
                return layer(inputs[0], initial_state=list(inputs[1:]), training=training)

        return WithState(dtype="float32")

    wrapped_fused, wrapped_general = call(fused), call(general)
    wrapped_fused([x, *states])
    wrapped_general([x, *states])
    general.set_weights(fused.get_weights())
    ours = _outputs_and_gradients(wrapped_fused, [x, *states], engine)
    theirs = _outputs_and_gradients(wrapped_general, [x, *states], engine)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        numpy.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_bidirectional_fused_gradients_match_finite_differences(name, engine):
    layer = layers.Bidirectional(getattr(layers, name)(3, return_sequences=True, dtype="float64"), dtype="float64")
    check_gradients(layer, random_inputs((2, 4, 3)), engine, training=True)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_fused_path_has_no_second_order_and_the_per_step_path_has(name, engine):
    x = random_inputs((2, 3, 2), dtype="float32")

    def second_order(layer):
        def run(inputs):
            with kerasish.GradientTape() as outer:
                outer.watch(inputs)
                with kerasish.GradientTape() as inner:
                    inner.watch(inputs)
                    loss = ops.sum(ops.square(layer(inputs, training=True)))
                first = ops.sum(ops.square(inner.gradient(loss, inputs)))
            return outer.gradient(first, inputs)

        return numpy.asarray(kerasish.function(run, engine="static")(x) if engine == "static" else run(Tensor(x)))

    assert second_order(getattr(layers, name)(2, use_cudnn=False)).shape == x.shape
    with pytest.raises(NotImplementedError, match=rf"fused {name}.*use_cudnn=False"):
        second_order(getattr(layers, name)(2))


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.LSTM(2, activation="relu", use_cudnn=True),
        lambda: layers.LSTM(2, recurrent_dropout=0.5, use_cudnn=True),
        lambda: layers.LSTM(2, use_bias=False, use_cudnn=True),
        lambda: layers.GRU(2, reset_after=False, use_cudnn=True),
        lambda: layers.GRU(2, recurrent_activation="hard_sigmoid", use_cudnn=True),
    ],
)
def test_use_cudnn_true_with_a_non_standard_configuration_is_keras_error(make):
    with pytest.raises(ValueError, match="use_cudnn=True was specified, but cuDNN is not supported"):
        make()(random_inputs((2, 3, 2), dtype="float32"))


def test_use_cudnn_true_with_a_mask_is_keras_error_and_auto_takes_the_per_step_path():
    x = numpy.array([[1, 2, 0], [3, 0, 0]])
    embedded = layers.Embedding(4, 2, mask_zero=True)
    auto = layers.LSTM(2)
    output = auto(embedded(x), training=True)
    assert tuple(output.shape) == (2, 2)
    with pytest.raises(ValueError, match="use_cudnn=True was specified"):
        layers.LSTM(2, use_cudnn=True)(embedded(x), training=True)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_use_cudnn_is_checked_as_keras_checks_it(name):
    with pytest.raises(ValueError, match=r"Expected one of \{'auto', True, False\}. Received: use_cudnn=yes"):
        getattr(layers, name)(2, use_cudnn="yes")


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_fit_with_the_fused_path_learns_the_same_on_both_engines(name):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((16, 5, 3)).astype("float32")
    y = rng.standard_normal((16, 2)).astype("float32")
    losses, weights = [], None
    for engine in ("dynamic", "static"):
        model = kerasish.Sequential([kerasish.Input((5, 3)), getattr(layers, name)(4), layers.Dense(2)])
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss="mse", backend=engine)
        losses.append(model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False).history["loss"])
    assert losses[0][-1] < losses[0][0]
    numpy.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs", [("LSTM", dict(return_state=True)), ("GRU", dict(return_sequences=True))])
def test_fused_path_matches_keras(name, kwargs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x = random_inputs((3, 6, 2), dtype="float32")
    theirs, ours = getattr(keras.layers, name)(5, **kwargs), getattr(layers, name)(5, **kwargs)
    expected = [numpy.asarray(y) for y in as_list(theirs(x, training=True))]
    ours(x)
    ours.set_weights([numpy.asarray(w) for w in theirs.get_weights()])
    for a, b in zip(as_list(ours(x, training=True)), expected):
        numpy.testing.assert_allclose(numpy.asarray(a), b, rtol=1e-5, atol=1e-5)
