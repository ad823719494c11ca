"""Normalization: Keras's numerics (population variance, epsilon floor), adapt on every data source,
config round trip, mean and variance kept in a saved model, and clear errors."""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.data import DataLoader
from kerasish.utils.py_dataset import PyDataset
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

DATA = numpy.random.default_rng(0).standard_normal((50, 3)).astype("float32") * [1.0, 5.0, 0.5] + [0.0, 2.0, -1.0]


class Batches(PyDataset):
    def __init__(self, data, size):
        super().__init__()
        self.data, self.size = data, size

    def __len__(self):
        return -(-len(self.data) // self.size)

    def __getitem__(self, index):
        rows = self.data[index * self.size : (index + 1) * self.size]
        return rows, numpy.zeros(len(rows))


def _adapted(data, **kwargs):
    layer = layers.Normalization(**kwargs)
    layer.adapt(data)
    return layer


def test_population_statistics_and_output():
    layer = _adapted(DATA)
    numpy.testing.assert_allclose(layer.adapt_mean.numpy(), DATA.mean(axis=0), rtol=1e-5)
    numpy.testing.assert_allclose(layer.adapt_variance.numpy(), DATA.var(axis=0), rtol=1e-5)
    expected = (DATA - DATA.mean(axis=0)) / numpy.sqrt(DATA.var(axis=0))
    numpy.testing.assert_allclose(numpy.asarray(layer(DATA)), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "source",
    ["list", "generator", "data_loader", "py_dataset", "tensor"],
)
def test_adapt_on_every_source_gives_the_statistics_of_the_whole_data(source):
    data = {
        "list": [DATA[i : i + 16] for i in range(0, 50, 16)],
        "generator": (DATA[i : i + 16] for i in range(0, 50, 16)),
        "data_loader": DataLoader(DATA, batch_size=16),
        "py_dataset": Batches(DATA, 16),
        "tensor": kerasish.ops.convert_to_tensor(DATA),
    }[source]
    layer = _adapted(data)
    numpy.testing.assert_allclose(layer.adapt_mean.numpy(), DATA.mean(axis=0), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(layer.adapt_variance.numpy(), DATA.var(axis=0), rtol=1e-5, atol=1e-6)


def test_constant_feature_is_floored_by_epsilon_not_divided_by_zero():
    data = numpy.ones((4, 2), dtype="float32")
    layer = _adapted(data)
    numpy.testing.assert_array_equal(numpy.asarray(layer(data + 1.0)), numpy.full((4, 2), 1.0 / 1e-7, "float32"))


def test_axis_none_and_several_axes():
    data = numpy.random.default_rng(1).standard_normal((8, 3, 4)).astype("float32")
    scalar = _adapted(data, axis=None)
    assert scalar.adapt_mean.shape == ()
    numpy.testing.assert_allclose(scalar.adapt_mean.numpy(), data.mean(), rtol=1e-4, atol=1e-6)
    per_cell = _adapted(data, axis=(1, 2))
    assert per_cell.adapt_mean.shape == (3, 4)
    check_shapes(per_cell, data, (8, 3, 4))


def test_given_mean_and_variance_and_invert():
    layer = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    x = numpy.asarray([[3.0, 8.0]], dtype="float32")
    numpy.testing.assert_allclose(numpy.asarray(layer(x)), [[1.0, 2.0]], rtol=1e-6)
    inverse = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    numpy.testing.assert_allclose(numpy.asarray(inverse(numpy.asarray([[1.0, 2.0]], "float32"))), x, rtol=1e-6)
    check_config_round_trip(layer, x)


def test_config_round_trip_of_an_adapted_layer_keeps_the_weights():
    layer = _adapted(DATA)
    clone = check_config_round_trip(layer, DATA[:4])
    assert clone.get_config()["mean"] is None


def test_mean_and_variance_come_back_with_a_saved_model(tmp_path):
    inputs = kerasish.Input(shape=(3,))
    model = kerasish.Model(inputs, layers.Dense(2)(_adapted(DATA)(inputs)))
    expected = numpy.asarray(model(DATA[:5]))
    path = str(tmp_path / "normalized.keras")
    model.save(path)
    loaded = kerasish.models.load_model(path)
    numpy.testing.assert_allclose(numpy.asarray(loaded(DATA[:5])), expected, rtol=1e-6)
    normalization = [layer for layer in loaded.layers if isinstance(layer, layers.Normalization)][0]
    numpy.testing.assert_allclose(normalization.adapt_mean.numpy(), DATA.mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "empty iterable"),
        ((batch for batch in []), "empty iterable"),
        (numpy.zeros((0, 3), "float32"), "empty batch of shape \\(0, 3\\)"),
    ],
)
def test_adapt_on_empty_data_is_an_error_naming_the_layer(data, message):
    with pytest.raises(ValueError, match=f"Normalization 'normalization.*{message}"):
        layers.Normalization().adapt(data)


def test_bad_arguments():
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    layer = _adapted(DATA)
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(numpy.zeros((4, 5), "float32"))


@pytest.mark.parametrize("invert", [False, True])
def test_gradients_flow_through_on_both_engines(engine, invert):
    adapted = layers.Normalization(dtype="float64", invert=invert)
    adapted.adapt(DATA.astype("float64"))
    check_gradients(adapted, random_inputs((4, 3)), engine)
    given = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.5, 2.0], dtype="float64", invert=invert)
    check_gradients(given, random_inputs((4, 3)), engine)
