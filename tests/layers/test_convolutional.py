import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.Conv1D(3, 3, padding="causal", dtype="float64"), (2, 6, 2), (2, 6, 3)),
    (
        lambda: layers.Conv2D(4, 3, strides=2, padding="same", activation="relu", dtype="float64"),
        (2, 5, 5, 2),
        (2, 3, 3, 4),
    ),
    (lambda: layers.Conv2D(2, (2, 3), data_format="channels_first", dtype="float64"), (2, 3, 5, 6), (2, 2, 4, 4)),
    (lambda: layers.Conv2D(4, 1, groups=2, dtype="float64"), (1, 3, 3, 2), (1, 3, 3, 4)),
    (lambda: layers.Conv2DTranspose(3, 3, strides=2, dtype="float64"), (2, 3, 3, 2), (2, 7, 7, 3)),
    (lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same", dtype="float64"), (2, 3, 3, 2), (2, 6, 6, 3)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, dtype="float64"), (2, 5, 5, 3), (2, 3, 3, 6)),
    (lambda: layers.SeparableConv2D(4, 3, padding="same", dtype="float64"), (2, 4, 4, 3), (2, 4, 4, 4)),
    (lambda: layers.Conv3D(2, 2, dtype="float64"), (1, 3, 3, 3, 2), (1, 2, 2, 2, 2)),
    (lambda: layers.Conv1DTranspose(2, 3, strides=2, output_padding=1, dtype="float64"), (2, 3, 2), (2, 8, 2)),
    (lambda: layers.DepthwiseConv1D(3, dtype="float64"), (2, 5, 2), (2, 3, 2)),
    (lambda: layers.SeparableConv1D(3, 2, dilation_rate=2, dtype="float64"), (2, 6, 2), (2, 4, 3)),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_convolution_layers(make, input_shape, output_shape, engine):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_conv2d_matches_a_direct_loop():
    layer = layers.Conv2D(2, 2, bias_initializer="ones", dtype="float64")
    x = random_inputs((1, 3, 3, 1))
    y = layer(x).numpy()
    kernel = layer.kernel.numpy()
    assert kernel.shape == (2, 2, 1, 2)  # HWIO, as Keras
    expected = numpy.array(
        [
            [
                [numpy.sum(x[0, i : i + 2, j : j + 2, :, None] * kernel, axis=(0, 1, 2)) + 1 for j in range(2)]
                for i in range(2)
            ]
        ]
    )
    numpy.testing.assert_allclose(y, expected, rtol=1e-10)


def test_convolution_argument_errors():
    with pytest.raises(ValueError, match="filters=0"):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="groups=3"):
        layers.Conv2D(4, 3, groups=3)
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(2, 3, strides=1, output_padding=1)
    layer = layers.Conv2D(2, 3, name="conv_probe")
    layer(random_inputs((1, 5, 5, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"Conv2D 'conv_probe'.*\(1, 5, 5, 4\)"):
        layer(random_inputs((1, 5, 5, 4), dtype="float32"))
