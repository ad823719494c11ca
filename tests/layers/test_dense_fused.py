"""Dense run eagerly with a bias and relu or no activation is one op (`dense_relu`, `dense`): the same numbers,
forward and gradients, as the separate matmul, add and relu ops, which a traced Dense still makes."""

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from kerasish.layers.core import dense as dense_module
from tests.layers.layer_checks import check_gradients, random_inputs

RNG = numpy.random.default_rng(5)
X = RNG.standard_normal((6, 5)).astype("float32")
WEIGHTS = (RNG.standard_normal((6, 4)).astype("float32"), RNG.standard_normal((6, 3, 4)).astype("float32"))


def _layer(activation, dtype=None):
    layer = layers.Dense(4, activation=activation, bias_initializer="glorot_uniform", dtype=dtype)
    layer.build((None, 5))
    return layer


def _composite(layer):
    def call(inputs):
        y = ops.add(ops.matmul(inputs, layer.kernel), layer.bias)
        return y if layer.activation is kerasish.activations.linear else layer.activation(y)

    return call


def _value_and_gradients(call, layer, x, weights):
    def run(inputs):
        with kerasish.GradientTape() as tape:
            tape.watch(inputs)
            y = call(inputs)
            loss = ops.sum(ops.multiply(ops.cast(y, "float32"), weights))
        return [y] + tape.gradient(loss, [inputs, layer.kernel, layer.bias])

    return [numpy.asarray(v) for v in run(Tensor(x))]


@pytest.mark.parametrize("activation", ["relu", None])
@pytest.mark.parametrize("rank", [2, 3])
def test_eager_dense_is_the_composite_to_the_bit(activation, rank):
    layer = _layer(activation)
    x = X if rank == 2 else RNG.standard_normal((6, 3, 5)).astype("float32")
    weights = WEIGHTS[rank - 2]
    fused = _value_and_gradients(layer, layer, x, weights)
    plain = _value_and_gradients(_composite(layer), layer, x, weights)
    for ours, expected in zip(fused, plain):
        assert ours.dtype == expected.dtype
        numpy.testing.assert_array_equal(ours, expected)


def test_mixed_precision_dense_is_the_composite_to_the_bit():
    layer = _layer("relu", dtype="mixed_float16")
    fused = _value_and_gradients(layer, layer, X, WEIGHTS[0])

    def composite(inputs):
        with kerasish.dtype_policies.autocast_scope.autocast_scope("float16"):
            return _composite(layer)(ops.cast(inputs, "float16"))

    plain = _value_and_gradients(composite, layer, X, WEIGHTS[0])
    assert fused[0].dtype == numpy.float16
    for ours, expected in zip(fused, plain):
        numpy.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("activation", ["relu", None])
def test_both_engines_agree_and_the_gradients_are_right(engine, activation):
    layer = _layer(activation)
    if engine == "static":
        ours = kerasish.function(lambda x: _value_and_gradients_graph(layer, x), engine="static")(X)
    else:
        ours = _value_and_gradients_graph(layer, Tensor(X))
    expected = _value_and_gradients(_composite(layer), layer, X, WEIGHTS[0])
    for a, b in zip(ours, expected):
        numpy.testing.assert_allclose(numpy.asarray(a), b, rtol=1e-6, atol=1e-6)
    check_gradients(layers.Dense(3, activation=activation, dtype="float64"), random_inputs((4, 5)), engine)


def _value_and_gradients_graph(layer, x):
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = ops.sum(ops.multiply(y, WEIGHTS[0]))
    return [y] + tape.gradient(loss, [x, layer.kernel, layer.bias])


def _count_fused_calls(monkeypatch):
    calls = []
    for name in ("dense", "dense_relu"):
        original = getattr(dense_module, name)
        monkeypatch.setattr(dense_module, name, lambda *a, _original=original: calls.append(1) or _original(*a))
    return calls


@pytest.mark.parametrize(
    ("settings", "fused"),
    [
        (dict(activation="relu"), 1),
        (dict(activation=None), 1),
        (dict(activation="tanh"), 0),
        (dict(activation="relu", use_bias=False), 0),
    ],
    ids=["relu", "linear", "tanh", "no-bias"],
)
def test_one_op_only_eagerly_with_a_bias_and_relu_or_no_activation(monkeypatch, settings, fused):
    layer = layers.Dense(4, **settings)
    layer(X)
    calls = _count_fused_calls(monkeypatch)
    layer(X)
    assert len(calls) == fused
    kerasish.function(layer, engine="static")(X)
    assert len(calls) == fused, "a traced Dense makes the separate ops, which the static plan fuses"


def test_a_linear_dense_record_does_not_keep_its_output():
    """Only the relu's gradient reads the output: a linear Dense frees it as the separate ops did."""
    assert "output" not in dense_module.dense.saves and "output" in dense_module.dense_relu.saves


@pytest.mark.parametrize("activation", ["relu", None])
def test_second_derivatives_are_the_composites(activation):
    layer = _layer(activation)

    def second(call):
        x = Tensor(X)
        with kerasish.GradientTape() as outer:
            outer.watch(x)
            with kerasish.GradientTape() as inner:
                inner.watch(x)
                loss = ops.sum(ops.square(call(x)))
            d_kernel = inner.gradient(loss, layer.kernel)
            inner_product = ops.sum(ops.multiply(d_kernel, d_kernel))
        return [numpy.asarray(g) for g in outer.gradient(inner_product, [x, layer.kernel, layer.bias])]

    for ours, expected in zip(second(layer), second(_composite(layer))):
        numpy.testing.assert_array_equal(ours, expected)
