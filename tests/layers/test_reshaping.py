import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.Flatten(dtype="float64"), (2, 3, 4), (2, 12)),
    (lambda: layers.Reshape((2, -1), dtype="float64"), (2, 3, 4), (2, 2, 6)),
    (lambda: layers.Permute((2, 1), dtype="float64"), (2, 3, 4), (2, 4, 3)),
    (lambda: layers.RepeatVector(3, dtype="float64"), (2, 4), (2, 3, 4)),
    (lambda: layers.ZeroPadding2D(((1, 0), (2, 1)), dtype="float64"), (2, 3, 3, 2), (2, 4, 6, 2)),
    (lambda: layers.Cropping2D(((1, 0), (0, 1)), dtype="float64"), (2, 4, 4, 2), (2, 3, 3, 2)),
    (lambda: layers.UpSampling2D((2, 3), dtype="float64"), (2, 2, 2, 1), (2, 4, 6, 1)),
    (lambda: layers.UpSampling2D(data_format="channels_first", dtype="float64"), (2, 1, 2, 3), (2, 1, 4, 6)),
    (lambda: layers.UpSampling2D((3, 2), interpolation="bilinear", dtype="float64"), (2, 2, 3, 1), (2, 6, 6, 1)),
    (lambda: layers.Dropout(0.5, dtype="float64"), (2, 3), (2, 3)),
    (lambda: layers.Rescaling(0.5, offset=1.0, dtype="float64"), (2, 3), (2, 3)),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_reshaping_layers(make, input_shape, output_shape, engine):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_flatten_channels_first_matches_channels_last_order():
    x = random_inputs((2, 3, 4, 5), dtype="float32")
    first = layers.Flatten(data_format="channels_first")(x.transpose(0, 3, 1, 2)).numpy()
    numpy.testing.assert_array_equal(first, x.reshape(2, -1))


def test_bilinear_up_sampling_interpolates_between_pixel_centres():
    x = numpy.array([0.0, 4.0], dtype="float32").reshape(1, 1, 2, 1)
    y = layers.UpSampling2D((1, 2), interpolation="bilinear")(x).numpy().ravel()
    numpy.testing.assert_allclose(y, [0.0, 1.0, 3.0, 4.0])


def test_dropout_drops_only_while_training_and_scales(engine):
    layer = layers.Dropout(0.5, seed=3)
    x = numpy.ones((50, 40), "float32")
    numpy.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(numpy.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7
    assert not numpy.array_equal(y, layer(x, training=True).numpy())


def test_reshaping_errors():
    with pytest.raises(ValueError, match=r"Reshape 'reshape_probe'.*target_shape=\(5,\)"):
        layers.Reshape((5,), name="reshape_probe")(random_inputs((2, 3, 4), dtype="float32"))
    with pytest.raises(ValueError, match="dims=\\(1, 3\\)"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="rate=1.5"):
        layers.Dropout(1.5)
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(3)(random_inputs((1, 4, 4, 1), dtype="float32"))
