"""Layer outputs against Keras 3 with the same weights (runs where keras is installed: /tmp/venv-keras)."""

import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import random_inputs

keras = pytest.importorskip("keras")

CASES = [
    ("Dense", dict(units=3, activation="relu"), (2, 4)),
    ("Conv2D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 6, 6, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 3, 3, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2), (2, 5, 5, 2)),
    ("SeparableConv2D", dict(filters=3, kernel_size=3), (2, 5, 5, 2)),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 5, 5, 2)),
    ("UpSampling2D", dict(size=(3, 2), interpolation="bilinear"), (2, 3, 4, 2)),
    ("BatchNormalization", dict(), (4, 3)),
    ("LayerNormalization", dict(), (4, 3)),
    ("SimpleRNN", dict(units=3, return_sequences=True), (2, 4, 3)),
    ("LSTM", dict(units=3), (2, 4, 3)),
    ("GRU", dict(units=3), (2, 4, 3)),
    ("GRU", dict(units=3, reset_after=False, go_backwards=True), (2, 4, 3)),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs, input_shape", CASES)
def test_outputs_and_configs_match_keras(name, kwargs, input_shape):
    x = random_inputs(input_shape, dtype="float32")
    theirs, ours = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    expected = numpy.asarray(theirs(x))
    ours(x)
    ours.set_weights([numpy.asarray(w) for w in theirs.get_weights()])
    numpy.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    assert set(theirs.get_config()) - {
        "quantization_config",
        "renorm",
        "renorm_clipping",
        "renorm_momentum",
        "use_cudnn",
    } <= set(ours.get_config()) | {"seed"}
    assert [w.path.split("/", 1)[1] for w in ours.weights] == [w.path.split("/", 1)[1] for w in theirs.weights]
