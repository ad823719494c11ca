import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.Activation("relu", dtype="float64"), lambda x: numpy.maximum(x, 0)),
    (
        lambda: layers.ReLU(max_value=0.5, negative_slope=0.1, dtype="float64"),
        lambda x: numpy.where(x > 0, numpy.minimum(x, 0.5), 0.1 * x),
    ),
    (lambda: layers.LeakyReLU(dtype="float64"), lambda x: numpy.where(x > 0, x, 0.3 * x)),
    (lambda: layers.ELU(alpha=0.5, dtype="float64"), lambda x: numpy.where(x > 0, x, 0.5 * (numpy.exp(x) - 1))),
    (lambda: layers.Softmax(dtype="float64"), lambda x: numpy.exp(x) / numpy.exp(x).sum(-1, keepdims=True)),
]


@pytest.mark.parametrize("make, reference", CASES)
def test_activation_layers(make, reference, engine):
    layer = make()
    x = random_inputs((3, 4)) + 0.01  # away from the kinks at 0
    y = check_shapes(layer, x, (3, 4))
    numpy.testing.assert_allclose(y.numpy(), reference(x), rtol=1e-6, atol=1e-7)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_softmax_with_mask_zeroes_masked_positions():
    x = random_inputs((2, 3), dtype="float32")
    mask = numpy.array([[True, True, False], [True, False, False]])
    y = layers.Softmax()(x, mask=mask).numpy()
    assert (y[~mask] == 0).all()
    numpy.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-6)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="negative_slope=-1"):
        layers.LeakyReLU(negative_slope=-1)
    with pytest.raises(ValueError, match="max_value=-1"):
        layers.ReLU(max_value=-1)
