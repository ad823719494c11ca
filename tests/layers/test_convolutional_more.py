"""Conv3DTranspose and Keras's other names for the convolution layers."""

import numpy
import pytest

from kerasish import layers
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (
        lambda: layers.Conv3DTranspose(2, 3, strides=2, padding="same", dtype="float64"),
        (2, 2, 3, 2, 2),
        (2, 4, 6, 4, 2),
    ),
    (lambda: layers.Conv3DTranspose(3, (2, 1, 2), dtype="float64"), (2, 2, 3, 2, 2), (2, 3, 3, 3, 3)),
    (
        lambda: layers.Conv3DTranspose(
            1, 2, strides=(2, 1, 1), output_padding=(1, 0, 0), data_format="channels_first", dtype="float64"
        ),
        (2, 2, 2, 3, 2),
        (2, 1, 5, 4, 3),
    ),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_conv3d_transpose(make, input_shape, output_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_conv3d_transpose_is_the_gradient_of_conv3d():
    """<conv3d(x), y> = <x, conv3d_transpose(y)> with the same kernel."""
    conv = layers.Conv3D(2, 3, strides=2, padding="same", use_bias=False, dtype="float64")
    x = random_inputs((1, 4, 6, 4, 3))
    y = random_inputs((1, 2, 3, 2, 2), seed=1)
    transpose = layers.Conv3DTranspose(3, 3, strides=2, padding="same", use_bias=False, dtype="float64")
    conv(x), transpose(y)
    transpose.kernel.assign(conv.kernel.numpy())
    numpy.testing.assert_allclose(numpy.sum(conv(x).numpy() * y), numpy.sum(x * transpose(y).numpy()), rtol=1e-10)


def test_keras_aliases_are_the_same_classes():
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_output_padding_not_below_strides_is_quoted():
    with pytest.raises(ValueError, match=r"output_padding=\(2, 0, 0\), strides=\(2, 1, 1\)"):
        layers.Conv3DTranspose(1, 3, strides=(2, 1, 1), output_padding=(2, 0, 0))
