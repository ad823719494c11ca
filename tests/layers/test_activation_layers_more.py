"""PReLU."""

import numpy
import pytest

from kerasish import layers
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs


@pytest.mark.parametrize("shared_axes", [None, [1], [1, 2]])
def test_prelu(shared_axes, engine, tmp_path):
    layer = layers.PReLU(alpha_initializer="random_normal", shared_axes=shared_axes, dtype="float64")
    x = random_inputs((2, 3, 4))
    y = check_shapes(layer, x, (2, 3, 4)).numpy()
    alpha = layer.alpha.numpy()
    assert alpha.shape == tuple(1 if axis in (shared_axes or []) else x.shape[axis] for axis in (1, 2))
    numpy.testing.assert_allclose(y, numpy.where(x > 0, x, alpha * x), rtol=1e-12)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_prelu_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"PReLU 'probe'.*shared_axes=\[0\]"):
        layers.PReLU(shared_axes=[0], name="probe")(random_inputs((2, 3), dtype="float32"))
    layer = layers.PReLU(name="probe")
    layer(random_inputs((2, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"PReLU 'probe'.*axis 1.*value 3.*\(2, 4\)"):
        layer(random_inputs((2, 4), dtype="float32"))
