"""Files written by real Keras 3 (tests/fixtures/keras_files, made by tests/fixtures/make_keras_files.py)
read without Keras: the same arrays through every format, and the equivalent kerasish models
reproduce Keras's predictions."""

import os

import numpy
import pytest

from kerasish import layers, models
from kerasish.saving import keras_format, legacy_h5_format

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "keras_files")
LAYERS = {
    "mlp": [("dense", "dense"), ("dense_1", "dense_1")],
    "cnn": [("conv2d", "conv2d"), ("batch_normalization", "batch_normalization"), ("dense", "dense_2")],
}


def fixture(name):
    return os.path.join(HERE, name)


@pytest.mark.parametrize("model_name", ["mlp", "cnn"])
def test_the_three_keras_formats_hold_the_same_arrays(model_name):
    with (
        keras_format.open_archive(fixture(f"{model_name}.keras")) as archive,
        keras_format.archive_weights(archive, limit=2**20) as stored,
    ):
        from_keras = {path: [dataset.read() for dataset in datasets] for path, datasets in stored.items()}
    with keras_format.weights_file(fixture(f"{model_name}.weights.h5")) as stored:
        from_weights = {path: [dataset.read() for dataset in datasets] for path, datasets in stored.items()}
    from_legacy = legacy_h5_format.read_layer_weights(fixture(f"{model_name}.h5"))
    assert list(from_legacy) == [legacy for _, legacy in LAYERS[model_name]]
    for path_name, legacy_name in LAYERS[model_name]:
        stored = from_keras[f"layers/{path_name}"]
        assert stored and len(stored) == len(from_legacy[legacy_name])
        for a, b, c in zip(stored, from_weights[f"layers/{path_name}"], from_legacy[legacy_name]):
            numpy.testing.assert_array_equal(a, b)
            numpy.testing.assert_array_equal(a, c)
    trainable = {"mlp": 4, "cnn": 6}[model_name]  # BatchNormalization's moving statistics have no Adam slots
    assert len(from_keras["optimizer"]) == 2 + 2 * trainable


def equivalent(model_name):
    if model_name == "mlp":
        return models.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3)])
    return models.Sequential(
        [
            layers.Input((6, 6, 2)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )


@pytest.mark.parametrize("model_name", ["mlp", "cnn"])
@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_keras_weights_load_into_the_equivalent_model(model_name, suffix):
    expected = numpy.load(fixture(f"{model_name}_expected.npz"))
    model = equivalent(model_name)
    model.load_weights(fixture(model_name + suffix))
    numpy.testing.assert_allclose(
        model.predict(expected["inputs"], verbose=0), expected["predictions"], rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("model_name", ["mlp", "cnn"])
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_load_model_of_keras_files(model_name, suffix):
    expected = numpy.load(fixture(f"{model_name}_expected.npz"))
    model = models.load_model(fixture(model_name + suffix))
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    assert int(model.optimizer.iterations.numpy()) == 2
    numpy.testing.assert_allclose(
        model.predict(expected["inputs"], verbose=0), expected["predictions"], rtol=1e-5, atol=1e-6
    )
