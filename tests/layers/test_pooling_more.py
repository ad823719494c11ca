"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D."""

import numpy
import pytest

from kerasish import layers
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.AdaptiveAveragePooling1D(3, dtype="float64"), (2, 7, 2), (2, 3, 2)),
    (lambda: layers.AdaptiveAveragePooling2D((2, 3), dtype="float64"), (2, 5, 7, 2), (2, 2, 3, 2)),
    (
        lambda: layers.AdaptiveAveragePooling3D(2, data_format="channels_first", dtype="float64"),
        (2, 2, 5, 4, 3),
        (2, 2, 2, 2, 2),
    ),
    (lambda: layers.AdaptiveMaxPooling1D([4], dtype="float64"), (2, 7, 2), (2, 4, 2)),
    (lambda: layers.AdaptiveMaxPooling2D(3, data_format="channels_first", dtype="float64"), (2, 2, 5, 7), (2, 2, 3, 3)),
    (lambda: layers.AdaptiveMaxPooling3D((2, 3, 1), dtype="float64"), (2, 5, 4, 3, 2), (2, 2, 3, 1, 2)),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_adaptive_pooling_layers(make, input_shape, output_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_adaptive_pooling_of_a_divisible_size_is_ordinary_pooling():
    x = random_inputs((2, 6, 4, 3))
    average = layers.AdaptiveAveragePooling2D((3, 2), dtype="float64")(x).numpy()
    numpy.testing.assert_allclose(average, x.reshape(2, 3, 2, 2, 2, 3).mean((2, 4)), rtol=1e-12)
    largest = layers.AdaptiveMaxPooling2D((3, 2), dtype="float64")(x).numpy()
    numpy.testing.assert_array_equal(largest, x.reshape(2, 3, 2, 2, 2, 3).max((2, 4)))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.AdaptiveAveragePooling2D((2, 2, 2)), r"length 2. Received: \(2, 2, 2\)"),
        (lambda: layers.AdaptiveMaxPooling1D(0), r"output_size=0"),
        (lambda: layers.AdaptiveMaxPooling3D("big"), r"'big'"),
    ],
)
def test_adaptive_pooling_argument_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_adaptive_pooling_of_the_wrong_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"AdaptiveAveragePooling2D 'probe'.*ndim=4.*ndim=3"):
        layers.AdaptiveAveragePooling2D(2, name="probe")(random_inputs((2, 3, 4), dtype="float32"))
