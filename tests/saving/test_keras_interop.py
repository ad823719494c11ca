"""Real Keras 3 reads what kerasish writes. Runs only where Keras is installed, e.g.:

KERAS_BACKEND=jax /tmp/venv-keras/bin/python -m pytest tests/saving/test_keras_interop.py
"""

import os
import warnings

import numpy
import pytest

keras = pytest.importorskip("keras")

from kerasish import layers, models, optimizers  # noqa: E402

INPUTS = numpy.random.default_rng(0).standard_normal((3, 6, 6, 2)).astype("float32")


def kerasish_cnn():
    model = models.Sequential(
        [
            layers.Input((6, 6, 2)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    rng = numpy.random.default_rng(1)
    for variable in model.weights:
        variable.assign(rng.uniform(0.5, 1.5, variable.shape).astype("float32"))
    model.compile(optimizer=optimizers.Adam(0.01), loss="mse")
    model.fit(INPUTS, numpy.zeros((3, 2), "float32"), epochs=1, verbose=0)
    return model


def keras_cnn():
    return keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".weights.h5", ".h5", ".keras"])
def test_keras_load_weights_of_kerasish_files(tmp_path, suffix):
    model = kerasish_cnn()
    path = os.fspath(tmp_path / f"m{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (model.save_weights if suffix == ".weights.h5" else model.save)(path)
    reference = keras_cnn()
    reference.load_weights(path)
    numpy.testing.assert_allclose(
        reference.predict(INPUTS, verbose=0), model.predict(INPUTS, verbose=0), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_load_model_of_kerasish_files(tmp_path, suffix):
    model = kerasish_cnn()
    path = os.fspath(tmp_path / f"m{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(path)
    # Keras 3.15 cannot compile from a legacy training_config with loss "mse", even from its own files.
    loaded = keras.models.load_model(path, compile=suffix == ".keras")
    numpy.testing.assert_allclose(
        loaded.predict(INPUTS, verbose=0), model.predict(INPUTS, verbose=0), rtol=1e-5, atol=1e-6
    )
    if suffix == ".keras":
        assert int(loaded.optimizer.iterations.numpy()) == 1


def keras_twins():
    """Keras layers with the class names, weights and attributes of tests/saving/test_object_paths.py's."""

    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1],), name="kernel")
            self.bias = self.add_weight(shape=(input_shape[-1],), name="bias")

        def call(self, inputs):
            return inputs * self.kernel + self.bias

    class Moments(keras.layers.Layer):
        def build(self, input_shape):
            self.gamma = self.add_weight(shape=(input_shape[-1],), name="gamma")
            self.count = self.add_weight(shape=(), name="count", trainable=False)

        def call(self, inputs):
            return inputs * self.gamma

    class Block(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.second = Scale()
            self.first = Scale()

        def call(self, inputs):
            return self.second(self.first(inputs))

    class Net(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.encoder = Block()
            self.blocks = [Scale(), Scale(), Moments()]
            self._hidden = Scale()

        def call(self, inputs):
            x = self.encoder(inputs)
            for block in self.blocks:
                x = block(x)
            return self._hidden(x)

    return Net


def test_keras_reads_subclassed_weights_at_the_same_object_paths(tmp_path):
    from tests.saving.test_object_paths import Net

    model = Net()
    model(numpy.ones((2, 4), "float32"))
    rng = numpy.random.default_rng(0)
    for variable in model.weights:
        variable.assign(rng.standard_normal(variable.shape).astype("float32"))
    model.save_weights(tmp_path / "net.weights.h5")
    twin = keras_twins()()
    twin(numpy.ones((2, 4), "float32"))
    twin.load_weights(tmp_path / "net.weights.h5")
    pairs = [
        (model.encoder.first, twin.encoder.first),
        (model.encoder.second, twin.encoder.second),
        (model._hidden, twin._hidden),
    ] + list(zip(model.blocks, twin.blocks))
    for ours, theirs in pairs:
        for a, b in zip(ours.weights, theirs.weights):
            numpy.testing.assert_array_equal(a.numpy(), numpy.asarray(b))


def test_keras_reads_kerasish_functional_models(tmp_path):
    inputs = layers.Input((4,), name="features")
    merged = layers.Concatenate()([layers.Dense(3, name="left")(inputs), layers.Dense(3, name="right")(inputs)])
    model = models.Model(inputs, layers.Dense(2)(merged))
    rng = numpy.random.default_rng(2)
    for variable in model.weights:
        variable.assign(rng.standard_normal(variable.shape).astype("float32"))
    x = rng.standard_normal((3, 4)).astype("float32")
    expected = model.predict(x, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "f.keras")
        model.save(tmp_path / "f.h5")
    model.save_weights(tmp_path / "f.weights.h5")
    for name in ("f.keras", "f.h5"):
        loaded = keras.models.load_model(tmp_path / name, compile=False)
        numpy.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    k_inputs = keras.Input((4,), name="features")
    k_merged = keras.layers.Concatenate()(
        [keras.layers.Dense(3, name="left")(k_inputs), keras.layers.Dense(3, name="right")(k_inputs)]
    )
    twin = keras.Model(k_inputs, keras.layers.Dense(2)(k_merged))
    for name in ("f.weights.h5", "f.h5"):
        twin.load_weights(tmp_path / name)
        numpy.testing.assert_allclose(twin.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
