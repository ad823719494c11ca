"""Cropping1D/3D, ZeroPadding1D/3D, UpSampling1D/3D (and the 2-D layers that share their code)."""

import numpy
import pytest

from kerasish import layers
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.Cropping1D((1, 2), dtype="float64"), (2, 5, 2), (2, 2, 2)),
    (lambda: layers.Cropping2D(1, data_format="channels_first", dtype="float64"), (2, 1, 4, 4), (2, 1, 2, 2)),
    (lambda: layers.Cropping3D(((1, 0), 1, (0, 2)), dtype="float64"), (2, 4, 4, 4, 2), (2, 3, 2, 2, 2)),
    (lambda: layers.ZeroPadding1D((1, 2), dtype="float64"), (2, 5, 2), (2, 8, 2)),
    (lambda: layers.ZeroPadding1D(1, data_format="channels_first", dtype="float64"), (2, 2, 5), (2, 2, 7)),
    (lambda: layers.ZeroPadding3D(dtype="float64"), (2, 2, 2, 2, 2), (2, 4, 4, 4, 2)),
    (
        lambda: layers.ZeroPadding3D((1, 0, 2), data_format="channels_first", dtype="float64"),
        (2, 1, 2, 2, 2),
        (2, 1, 4, 2, 6),
    ),
    (lambda: layers.UpSampling1D(3, dtype="float64"), (2, 2, 2), (2, 6, 2)),
    (lambda: layers.UpSampling3D((1, 2, 3), dtype="float64"), (2, 2, 2, 2, 1), (2, 2, 4, 6, 1)),
    (lambda: layers.UpSampling3D(data_format="channels_first", dtype="float64"), (2, 1, 2, 1, 2), (2, 1, 4, 2, 4)),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_spatial_reshaping_layers(make, input_shape, output_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_values_of_the_one_and_three_dimensional_layers():
    x = random_inputs((2, 5, 3, 4, 2))
    numpy.testing.assert_array_equal(
        layers.Cropping3D(((1, 0), (0, 1), (1, 2)), dtype="float64")(x).numpy(), x[:, 1:, :2, 1:2]
    )
    padded = layers.ZeroPadding3D(((1, 0), (0, 1), (2, 2)), dtype="float64")(x).numpy()
    numpy.testing.assert_array_equal(padded, numpy.pad(x, [(0, 0), (1, 0), (0, 1), (2, 2), (0, 0)]))
    numpy.testing.assert_array_equal(
        layers.UpSampling3D((2, 1, 3), dtype="float64")(x).numpy(), x.repeat(2, 1).repeat(3, 3)
    )
    sequence = x[:, :, 0, 0]
    numpy.testing.assert_array_equal(layers.Cropping1D(2, dtype="float64")(sequence).numpy(), sequence[:, 2:3])
    numpy.testing.assert_array_equal(
        layers.ZeroPadding1D((0, 2), dtype="float64")(sequence).numpy(), numpy.pad(sequence, [(0, 0), (0, 2), (0, 0)])
    )
    numpy.testing.assert_array_equal(layers.UpSampling1D(dtype="float64")(sequence).numpy(), sequence.repeat(2, 1))


@pytest.mark.parametrize(
    "make, input_shape, message",
    [
        (
            lambda: layers.Cropping1D((3, 2), name="probe"),
            (1, 5, 1),
            r"Cropping1D 'probe'.*input_shape=\(1, 5, 1\).*cropping=\(3, 2\)",
        ),
        (lambda: layers.Cropping3D((1, 2)), None, r"cropping=\(1, 2\)"),
        (lambda: layers.ZeroPadding3D(((1, 1), (1, -1), 0)), None, r"padding=\(\(1, 1\), \(1, -1\), 0\)"),
        (lambda: layers.ZeroPadding1D((1, 2, 3)), None, r"padding=\(1, 2, 3\)"),
        (lambda: layers.UpSampling1D(0), None, r"size=0"),
        (lambda: layers.UpSampling3D(size=(2, 2)), None, r"size=\(2, 2\)"),
        (lambda: layers.UpSampling3D(name="probe"), (2, 3, 3, 1), r"UpSampling3D 'probe'.*ndim=5.*ndim=4"),
    ],
)
def test_reshaping_errors(make, input_shape, message):
    with pytest.raises(ValueError, match=message):
        make()(random_inputs(input_shape, dtype="float32"))
