import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs


@pytest.mark.parametrize("training", [False, True])
def test_batch_normalization(training, engine):
    layer = layers.BatchNormalization(dtype="float64")
    x = random_inputs((6, 4)) * 3 + 1
    check_shapes(layer, x, (6, 4))
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine, training=training)


@pytest.mark.parametrize("axis, shape", [(1, (4, 3, 2, 2)), (-1, (3, 2, 2, 3))])
def test_batch_normalization_training_gradients_over_images(axis, shape, engine):
    layer = layers.BatchNormalization(axis=axis, dtype="float64", beta_initializer="random_normal")
    x = random_inputs(shape) * 2 - 1
    check_gradients(layer, x, engine, training=True)


def test_batch_normalization_training_normalizes_and_updates_moving_statistics():
    layer = layers.BatchNormalization(momentum=0.9)
    x = random_inputs((64, 3), dtype="float32") * 2 + 5
    y = layer(x, training=True).numpy()
    numpy.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    numpy.testing.assert_allclose(y.std(0), 1, atol=1e-2)
    numpy.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * x.mean(0), rtol=1e-5)
    numpy.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * x.var(0), rtol=1e-5)
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]


def test_frozen_batch_normalization_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    x = random_inputs((8, 3), dtype="float32") + 4
    layer.trainable = False
    y = layer(x, training=True).numpy()
    numpy.testing.assert_allclose(y, x / numpy.sqrt(1 + 1e-3), rtol=1e-6)
    numpy.testing.assert_array_equal(layer.moving_mean.numpy(), 0)
    assert layer.trainable_weights == []


def test_batch_normalization_channels_first_axis():
    layer = layers.BatchNormalization(axis=1)
    layer(random_inputs((2, 3, 4, 4), dtype="float32"))
    assert layer.gamma.shape == (3,)


def test_batch_normalization_rejects_changed_feature_count():
    layer = layers.BatchNormalization(name="bn_probe")
    layer(random_inputs((2, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn_probe'.*\(2, 5\)"):
        layer(random_inputs((2, 5), dtype="float32"))


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_normalization(axis, engine):
    layer = layers.LayerNormalization(axis=axis, dtype="float64")
    x = random_inputs((2, 3, 4))
    y = check_shapes(layer, x, (2, 3, 4)).numpy()
    axes = (2,) if axis == -1 else (1, 2)
    expected = (x - x.mean(axes, keepdims=True)) / numpy.sqrt(x.var(axes, keepdims=True) + 1e-3)
    numpy.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-8)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def _convolution_reference(model, x):
    """Conv2D ("same", bias) then inference batch normalization then ReLU, in numpy from the layers' weights."""
    conv, norm = model.layers[1], model.layers[2]
    kernel, bias = conv.kernel.numpy(), conv.bias.numpy()
    padded = numpy.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    height, width = x.shape[1:3]
    windows = numpy.stack(
        [padded[:, i : i + height, j : j + width] for i in range(3) for j in range(3)], axis=3
    ).reshape(*x.shape[:3], -1)
    y = windows @ kernel.reshape(-1, kernel.shape[-1]) + bias
    mean, variance = norm.moving_mean.numpy(), norm.moving_variance.numpy()
    y = (y - mean) / numpy.sqrt(variance + norm.epsilon) * norm.gamma.numpy() + norm.beta.numpy()
    return numpy.maximum(y, 0)


def test_convolution_with_inference_batch_normalization_follows_training(engine):
    """predict after fit reads the trained kernel and moving statistics (the static engine folds the batch
    normalization into the convolution, from the variables' values at each call)."""
    import kerasish

    inputs = kerasish.Input((7, 6, 3))
    x = layers.Conv2D(5, 3, padding="same", bias_initializer="random_normal")(inputs)
    x = layers.BatchNormalization(beta_initializer="random_normal", gamma_initializer="random_uniform")(x)
    model = kerasish.Model(inputs, layers.Activation("relu")(x))
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    rng = numpy.random.default_rng(0)
    images = rng.standard_normal((4, 7, 6, 3)).astype("float32")
    numpy.testing.assert_allclose(
        model.predict(images, verbose=0), _convolution_reference(model, images), rtol=1e-4, atol=1e-5
    )
    model.fit(images, rng.standard_normal((4, 7, 6, 5)).astype("float32"), epochs=2, verbose=0)
    numpy.testing.assert_allclose(
        model.predict(images, verbose=0), _convolution_reference(model, images), rtol=1e-4, atol=1e-5
    )
