import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.MaxPooling1D(dtype="float64"), (2, 6, 3), (2, 3, 3)),
    (lambda: layers.MaxPooling2D(dtype="float64"), (2, 4, 4, 3), (2, 2, 2, 3)),
    (lambda: layers.MaxPooling2D(3, strides=2, padding="same", dtype="float64"), (2, 5, 5, 1), (2, 3, 3, 1)),
    (lambda: layers.AveragePooling1D(2, dtype="float64"), (2, 6, 3), (2, 3, 3)),
    (lambda: layers.AveragePooling2D(2, data_format="channels_first", dtype="float64"), (2, 3, 4, 4), (2, 3, 2, 2)),
    (lambda: layers.GlobalAveragePooling1D(dtype="float64"), (2, 5, 3), (2, 3)),
    (lambda: layers.GlobalAveragePooling2D(keepdims=True, dtype="float64"), (2, 4, 4, 3), (2, 1, 1, 3)),
    (lambda: layers.GlobalMaxPooling1D(dtype="float64"), (2, 5, 3), (2, 3)),
    (lambda: layers.GlobalMaxPooling2D(data_format="channels_first", dtype="float64"), (2, 3, 4, 4), (2, 3)),
    (lambda: layers.MaxPooling3D(dtype="float64"), (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
    (lambda: layers.AveragePooling3D(2, dtype="float64"), (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
    (lambda: layers.GlobalAveragePooling3D(dtype="float64"), (1, 2, 2, 2, 3), (1, 3)),
    (lambda: layers.GlobalMaxPooling3D(dtype="float64"), (1, 2, 2, 2, 3), (1, 3)),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_pooling_layers(make, input_shape, output_shape, engine):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_max_pooling_values():
    x = numpy.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    y = layers.MaxPooling2D()(x).numpy()
    numpy.testing.assert_array_equal(y[0, :, :, 0], [[5, 7], [13, 15]])


def test_global_average_pooling_1d_with_mask():
    x = random_inputs((2, 3, 2), dtype="float32")
    mask = numpy.array([[True, True, False], [True, False, False]])
    y = layers.GlobalAveragePooling1D()(x, mask=mask).numpy()
    numpy.testing.assert_allclose(y[0], x[0, :2].mean(0), rtol=1e-6)
    numpy.testing.assert_allclose(y[1], x[1, 0], rtol=1e-6)


def test_pooling_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"MaxPooling2D 'pool_probe'.*ndim=4"):
        layers.MaxPooling2D(name="pool_probe")(random_inputs((2, 4, 4), dtype="float32"))
