"""Layers on symbolic inputs (functional API) and their state updates on the static engine."""

import numpy
import pytest

import kerasish
from kerasish import layers
from tests.layers.layer_checks import random_inputs

SYMBOLIC_CASES = [
    (lambda: layers.Dense(3), (5,)),
    (lambda: layers.Conv2D(4, 3, strides=2, padding="same"), (8, 8, 3)),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2), (4, 4, 3)),
    (lambda: layers.MaxPooling2D(), (6, 6, 2)),
    (lambda: layers.GlobalAveragePooling2D(), (6, 6, 2)),
    (lambda: layers.Flatten(), (3, 4)),
    (lambda: layers.Reshape((-1, 2)), (3, 4)),
    (lambda: layers.Cropping2D(1), (5, 5, 1)),
    (lambda: layers.BatchNormalization(), (3,)),
    (lambda: layers.LSTM(3, return_sequences=True), (4, 2)),
    (lambda: layers.Bidirectional(layers.GRU(3)), (4, 2)),
    (lambda: layers.TimeDistributed(layers.Dense(2)), (4, 3)),
]


@pytest.mark.parametrize("make, shape", SYMBOLIC_CASES)
def test_symbolic_call_agrees_with_compute_output_shape(make, shape):
    layer = make()
    output = layer(kerasish.Input(shape))
    assert tuple(output.shape) == tuple(layer.compute_output_shape((None,) + shape))


def test_embedding_mask_reaches_the_rnn_in_a_functional_model():
    inputs = kerasish.Input((4,), dtype="int32")
    outputs = layers.LSTM(2, return_sequences=True)(layers.Embedding(5, 3, mask_zero=True)(inputs))
    model = kerasish.Model(inputs, outputs)
    y = model.predict(numpy.array([[1, 2, 0, 0]], dtype="int32"), verbose=0)
    numpy.testing.assert_array_equal(y[0, 3], y[0, 1])


def _training_step(layer):
    def step(x):
        return layer(x, training=True)

    return step


def test_batch_normalization_and_dropout_state_advance_on_the_static_engine():
    x = random_inputs((8, 3), dtype="float32") + 2
    dynamic_bn, static_bn = layers.BatchNormalization(), layers.BatchNormalization()
    step = kerasish.function(_training_step(static_bn), engine="static")
    for _ in range(2):
        dynamic_bn(x, training=True)
        step(x)
    numpy.testing.assert_allclose(static_bn.moving_mean.numpy(), dynamic_bn.moving_mean.numpy(), rtol=1e-6)
    numpy.testing.assert_allclose(static_bn.moving_variance.numpy(), dynamic_bn.moving_variance.numpy(), rtol=1e-6)
    dropout = layers.Dropout(0.5, seed=2)
    drop = kerasish.function(_training_step(dropout), engine="static")
    first, second = numpy.asarray(drop(x)), numpy.asarray(drop(x))
    assert not numpy.array_equal(first, second)


def test_frozen_layers_have_no_trainable_weights():
    layer = layers.Bidirectional(layers.LSTM(2))
    layer(random_inputs((1, 3, 2), dtype="float32"))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 6
