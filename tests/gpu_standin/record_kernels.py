"""Run on the strict stand-in (see tests/backends/test_cupy_nvrtc.py): trains the test models (MLP, CNN, LSTM,
a tiny ResNet) for one step on the static engine and prints, as JSON, every ElementwiseKernel the fused plans
generated: [name, in_params, out_params, operation, preamble, [dtype, ...]]."""

import json

import numpy

import kerasish
from kerasish import layers
from tests.gpu_standin import strict_cupy


def mlp():
    return kerasish.Sequential(
        [layers.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(16, activation="tanh"), layers.Dense(3)]
    )


def cnn():
    return kerasish.Sequential(
        [
            layers.Input((8, 8, 3)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(3),
        ]
    )


def lstm():
    return kerasish.Sequential([layers.Input((5, 4)), layers.LSTM(6), layers.Dense(3)])


def resnet_tiny():
    inputs = layers.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    y = layers.Conv2D(4, 3, padding="same")(x)
    y = layers.BatchNormalization()(y)
    x = layers.ReLU()(layers.Add()([x, y]))
    outputs = layers.Dense(3)(layers.GlobalAveragePooling2D()(x))
    return kerasish.Model(inputs, outputs)


rng = numpy.random.default_rng(0)
for build in (mlp, cnn, lstm, resnet_tiny):
    model = build()
    model.compile(optimizer="adam", loss="categorical_crossentropy", backend="static")
    x = rng.random((4, *model.inputs[0].shape[1:]), dtype="float32")
    model.fit(x, numpy.eye(3, dtype="float32")[[0, 1, 2, 0]], epochs=1, verbose=0)
    model.predict(x, verbose=0)
print(json.dumps([[*key, sorted(dtypes)] for key, dtypes in sorted(strict_cupy.KERNELS.items())]))
