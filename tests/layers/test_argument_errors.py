"""Each argument check raises an error quoting the bad value (Keras's messages)."""

import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import random_inputs

CASES = [
    (lambda: layers.Embedding(0, 3), "input_dim=0"),
    (lambda: layers.Lambda(3), "function=3"),
    (lambda: layers.Conv2D(2, 0), "kernel_size=0"),
    (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), "dilation_rate=\\(2, 2\\)"),
    (lambda: layers.Conv2D(2, 3, padding="causal"), "Received: causal"),
    (lambda: layers.Conv2D(2, 3, data_format="channels_middle"), "channels_middle"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier=0"),
    (lambda: layers.MaxPooling2D(pool_size=(2, 2, 2)), "pool_size"),
    (lambda: layers.ZeroPadding2D(padding=(1, 2, 3)), "padding=\\(1, 2, 3\\)"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), "interpolation='bicubic'"),
    (lambda: layers.BatchNormalization(renorm=True), "renorm=True"),
    (lambda: layers.BatchNormalization(axis=[1]), "axis=\\[1\\]"),
    (lambda: layers.RepeatVector(2.5), "n=2.5"),
    (lambda: layers.Dot(axes="last"), "axes=last"),
    (lambda: layers.LSTM(2, stateful=True), "stateful=True"),
    (lambda: layers.Dense(2, bogus=1), "bogus"),
]


@pytest.mark.parametrize("make, message", CASES)
def test_bad_arguments(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_usage_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"TimeDistributed 'td_probe'.*\(2, 3\)"):
        layers.TimeDistributed(layers.Dense(2), name="td_probe")(random_inputs((2, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"Dot 'dot_probe'.*\(2, 3\).*\(2, 4\)"):
        layers.Dot(1, name="dot_probe")(
            [random_inputs((2, 3), dtype="float32"), random_inputs((2, 4), dtype="float32")]
        )
    with pytest.raises(ValueError, match=r"LSTM 'initial_probe'.*2 initial state"):
        layers.LSTM(2, name="initial_probe")(
            random_inputs((1, 3, 2), dtype="float32"), initial_state=[numpy.zeros((1, 2), "float32")]
        )
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2, return_sequences=True, go_backwards=True))
