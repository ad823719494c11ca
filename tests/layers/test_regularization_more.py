"""GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D and ActivityRegularization."""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.backends.dynamic import Tensor
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.ActivityRegularization(l1=0.1, l2=0.01, dtype="float64"), (2, 3)),
    (lambda: layers.GaussianNoise(0.1, seed=1, dtype="float64"), (2, 3)),
    (lambda: layers.GaussianDropout(0.1, seed=1, dtype="float64"), (2, 3)),
    (lambda: layers.AlphaDropout(0.1, noise_shape=(None, 1), seed=1, dtype="float64"), (2, 3)),
    (lambda: layers.SpatialDropout1D(0.1, seed=1, dtype="float64"), (2, 3, 4)),
    (lambda: layers.SpatialDropout2D(0.1, data_format="channels_first", dtype="float64"), (2, 3, 4, 2)),
    (lambda: layers.SpatialDropout3D(0.1, dtype="float64"), (2, 3, 4, 2, 2)),
]


@pytest.mark.parametrize("make, input_shape", CASES)
def test_regularization_layers(make, input_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    numpy.testing.assert_array_equal(check_shapes(layer, x, input_shape).numpy(), x)  # identity at inference
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def _training_call(layer, x, engine):
    if engine == "static":
        return numpy.asarray(kerasish.function(lambda v: layer(v, training=True), engine="static")(x))
    return layer(Tensor(x), training=True).numpy()


def test_gaussian_noise_adds_noise_of_the_given_deviation_while_training(engine):
    x = numpy.ones((200, 100), "float32")
    noise = _training_call(layers.GaussianNoise(0.3, seed=2), x, engine) - x
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.3) < 0.01


def test_gaussian_dropout_multiplies_by_noise_of_mean_one(engine):
    x = numpy.full((200, 100), 2.0, "float32")
    factor = _training_call(layers.GaussianDropout(0.2, seed=2), x, engine) / 2
    assert abs(factor.mean() - 1) < 0.01 and abs(factor.std() - (0.2 / 0.8) ** 0.5) < 0.01


def test_alpha_dropout_keeps_mean_and_variance_of_standard_inputs(engine):
    x = random_inputs((400, 100), dtype="float32")
    y = _training_call(layers.AlphaDropout(0.2, seed=2), x, engine)
    saturation, rate = -1.6732632423543772 * 1.0507009873554805, 0.2  # SELU's negative limit
    a = ((1 - rate) * (1 + rate * saturation**2)) ** -0.5
    dropped = numpy.isclose(y, a * saturation - a * saturation * rate, rtol=0, atol=1e-6)
    assert 0.18 < dropped.mean() < 0.22
    numpy.testing.assert_allclose(y[~dropped], a * x[~dropped] - a * saturation * rate, rtol=1e-5, atol=1e-6)
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


@pytest.mark.parametrize(
    "layer, shape, spatial_axes",
    [
        (layers.SpatialDropout1D(0.5, seed=3), (8, 6, 5), (1,)),
        (layers.SpatialDropout2D(0.5, seed=3), (8, 4, 3, 5), (1, 2)),
        (layers.SpatialDropout2D(0.5, data_format="channels_first", seed=3), (8, 5, 4, 3), (2, 3)),
        (layers.SpatialDropout3D(0.5, seed=3), (8, 2, 3, 2, 5), (1, 2, 3)),
    ],
)
def test_spatial_dropout_drops_whole_feature_maps(layer, shape, spatial_axes, engine):
    y = _training_call(layer, numpy.ones(shape, "float32"), engine)
    assert set(numpy.unique(y)) == {0.0, 2.0}
    numpy.testing.assert_array_equal(y.min(axis=spatial_axes), y.max(axis=spatial_axes))


def test_activity_regularization_adds_its_penalty_per_example():
    x = random_inputs((4, 3), dtype="float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    layer(x)
    expected = (0.1 * numpy.abs(x).sum() + 0.2 * numpy.square(x).sum()) / 4
    numpy.testing.assert_allclose(float(numpy.asarray(layer.losses[0])), expected, rtol=1e-5)
    assert "activity_regularizer" not in layer.get_config()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.GaussianNoise(1.5), r"stddev=1.5"),
        (lambda: layers.GaussianDropout(-0.1), r"rate=-0.1"),
        (lambda: layers.AlphaDropout("half"), r"rate=half"),
        (lambda: layers.SpatialDropout1D(2), r"rate=2"),
    ],
)
def test_bad_rates_are_quoted(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_spatial_dropout_of_the_wrong_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"SpatialDropout2D 'probe'.*ndim=4.*ndim=3"):
        layers.SpatialDropout2D(0.5, name="probe")(random_inputs((2, 3, 4), dtype="float32"))


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: layers.GaussianNoise(0.3, seed=3), (4, 5)),
        (lambda: layers.GaussianDropout(0.3, seed=3), (4, 5)),
        (lambda: layers.AlphaDropout(0.3, seed=3), (4, 5)),
        (lambda: layers.SpatialDropout1D(0.5, seed=3), (4, 5, 3)),
    ],
)
def test_seeded_noise_is_the_same_on_both_engines(make, shape):
    x = random_inputs(shape, dtype="float32")
    numpy.testing.assert_array_equal(_training_call(make(), x, "dynamic"), _training_call(make(), x, "static"))


def test_noise_layers_train_in_fit(engine):
    kerasish.utils.set_random_seed(0)
    model = kerasish.Sequential(
        [
            kerasish.Input((6, 3)),
            layers.GaussianNoise(0.1),
            layers.SpatialDropout1D(0.2),
            layers.Flatten(),
            layers.GaussianDropout(0.2),
            layers.Dense(4, activation="selu"),
            layers.AlphaDropout(0.2),
            layers.ActivityRegularization(l2=0.01),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    x, y = random_inputs((32, 6, 3), dtype="float32"), random_inputs((32, 1), seed=1, dtype="float32")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert all(numpy.isfinite(history.history["loss"]))
    numpy.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
