"""Discretization and CategoryEncoding: bins and encodings, output shapes and compute_output_shape,
config round trip, bad arguments, adapt sources, and running inside a model on both engines."""

import numpy
import pytest

import kerasish as keras
from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_shapes

VALUES = numpy.asarray([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]], dtype="float32")


def test_bins_as_numpy_digitize():
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    assert numpy.asarray(layer(VALUES)).tolist() == numpy.digitize(VALUES, [0.0, 1.0, 2.0]).tolist()
    check_config_round_trip(layer, VALUES)


@pytest.mark.parametrize(
    "mode, inputs, shape",
    [
        ("int", VALUES, (2, 4)),
        ("one_hot", VALUES[:, :1], (2, 4)),
        ("multi_hot", VALUES, (2, 4)),
        ("count", VALUES, (2, 4)),
    ],
)
def test_output_modes(mode, inputs, shape):
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)
    output = check_shapes(layer, inputs, shape)
    if mode == "count":
        assert numpy.asarray(output).sum(axis=-1).tolist() == [4.0, 4.0]


def test_adapt_on_batches_and_the_config_keeps_the_boundaries():
    data = numpy.random.default_rng(0).uniform(0, 10, (1000, 1)).astype("float32")
    layer = layers.Discretization(num_bins=4)
    layer.adapt(iter([data[:500], data[500:]]))
    numpy.testing.assert_allclose(layer.bin_boundaries, numpy.quantile(data, [0.25, 0.5, 0.75]), atol=0.2)
    clone = layers.Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries


def test_bad_arguments():
    with pytest.raises(ValueError, match="Both `num_bins` and `bin_boundaries` should not be set"):
        layers.Discretization(num_bins=3, bin_boundaries=[1.0])
    with pytest.raises(ValueError, match="You need to set either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="Cannot adapt a Discretization layer that has been initialized with"):
        layers.Discretization(bin_boundaries=[1.0]).adapt(VALUES)
    with pytest.raises(ValueError, match="`sparse=True` is not supported"):
        layers.Discretization(num_bins=2, sparse=True)
    with pytest.raises(ValueError, match="Discretization.*empty iterable"):
        layers.Discretization(num_bins=2).adapt([])
    with pytest.raises(ValueError, match="adapt\\(dataset\\)"):
        layers.Discretization(num_bins=2)(VALUES)


def test_category_encoding_modes_and_count_weights():
    data = numpy.asarray([[0, 1], [0, 0], [1, 2], [3, 1]])
    multi_hot = layers.CategoryEncoding(num_tokens=4)
    assert numpy.asarray(check_shapes(multi_hot, data, (4, 4))).tolist() == [
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 1, 1, 0],
        [0, 1, 0, 1],
    ]
    count = layers.CategoryEncoding(num_tokens=4, output_mode="count")
    weights = numpy.asarray([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]], dtype="float32")
    numpy.testing.assert_allclose(
        numpy.asarray(count(data, count_weights=weights)),
        [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0], [0, 0.2, 0, 0.4]],
        rtol=1e-6,
    )
    one_hot = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
    check_shapes(one_hot, numpy.asarray([3, 2, 0, 1]), (4, 4))
    check_config_round_trip(one_hot, numpy.asarray([3, 2, 0, 1]))
    with pytest.raises(ValueError, match="`count_weights` is not used"):
        one_hot(numpy.asarray([1]), count_weights=numpy.asarray([1.0]))
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="`num_tokens` must be >= 1. Received: num_tokens=0"):
        layers.CategoryEncoding(num_tokens=0)


def test_inside_a_model_on_both_engines(engine):
    inputs = keras.Input(shape=(4,))
    bins = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode="multi_hot")(inputs)
    outputs = layers.Dense(1)(bins)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    model.fit(VALUES, numpy.ones((2, 1), "float32"), epochs=2, verbose=0)
    numpy.testing.assert_allclose(model.predict(VALUES, verbose=0), numpy.asarray(model(VALUES)), rtol=1e-6)


def test_adapted_boundaries_come_back_with_a_saved_model(tmp_path):
    layer = layers.Discretization(num_bins=3, output_mode="one_hot")
    layer.adapt(numpy.random.default_rng(1).standard_normal((300, 1)).astype("float32"))
    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, layer(inputs))
    values = numpy.asarray([[-2.0], [0.0], [2.0]], dtype="float32")
    path = str(tmp_path / "bins.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[-1].bin_boundaries == layer.bin_boundaries
    numpy.testing.assert_array_equal(numpy.asarray(loaded(values)), numpy.asarray(model(values)))
