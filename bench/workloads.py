"""The benchmark workloads: each model written once against the Keras 3 API (run by kerasish or by
Keras itself, whichever module is passed in) and once in torch, with its batch, data and mode.

A workload's `build(keras)` takes the `keras`-like module (`kerasish` or `keras`) and returns an
uncompiled model; `torch_model(torch)` returns the same architecture as a torch module taking
channels-first images. Train workloads minimise sparse categorical cross-entropy from logits
(mean squared error for `tiny`) with plain SGD; inference workloads run a forward pass.
"""

from dataclasses import dataclass
from typing import Callable

import numpy

RATE = 0.01


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    mode: str  # "train" or "inference"
    input_shape: tuple  # one sample, channels-last
    classes: int  # 0: regression to one value
    batch: dict  # device -> batch size
    steps: dict  # device -> timed steps (the full run; --quick takes fewer)
    build: Callable
    torch_model: Callable


def _mlp(keras):
    inputs = keras.Input((784,))
    x = keras.layers.Dense(512, activation="relu")(inputs)
    x = keras.layers.Dense(512, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(10)(x))


def _torch_mlp(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def _cnn(keras):
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(32, 3, activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D(2)(x)
    return keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(x)))


def _torch_cnn(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 5 * 5, 10),
    )


def _tiny(keras):
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


def _torch_tiny(torch):
    return torch.nn.Linear(4, 1)


def _lstm(keras):
    inputs = keras.Input((50, 32))
    return keras.Model(inputs, keras.layers.Dense(10)(keras.layers.LSTM(256)(inputs)))


def _torch_lstm(torch):
    nn = torch.nn

    class LastState(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 256, batch_first=True)
            self.dense = nn.Linear(256, 10)

        def forward(self, x):
            return self.dense(self.lstm(x)[0][:, -1])

    return LastState()


def _gru(keras):
    inputs = keras.Input((50, 32))
    return keras.Model(inputs, keras.layers.Dense(10)(keras.layers.GRU(256)(inputs)))


def _torch_gru(torch):
    nn = torch.nn

    class LastState(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(32, 256, batch_first=True)
            self.dense = nn.Linear(256, 10)

        def forward(self, x):
            return self.dense(self.gru(x)[0][:, -1])

    return LastState()


def _transformer(keras):
    """One post-norm encoder block as torch's nn.TransformerEncoderLayer (no dropout), then a classifier on
    the mean token."""
    layers = keras.layers
    inputs = keras.Input((128, 256))
    attended = layers.MultiHeadAttention(num_heads=4, key_dim=64)(inputs, inputs)
    x = layers.LayerNormalization(epsilon=1e-5)(layers.Add()([inputs, attended]))
    forward = layers.Dense(256)(layers.Dense(1024, activation="relu")(x))
    x = layers.LayerNormalization(epsilon=1e-5)(layers.Add()([x, forward]))
    return keras.Model(inputs, layers.Dense(10)(layers.GlobalAveragePooling1D()(x)))


def _torch_transformer(torch):
    nn = torch.nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, dropout=0.0, batch_first=True)
            self.dense = nn.Linear(256, 10)

        def forward(self, x):
            return self.dense(self.block(x).mean(1))

    return Encoder()


def _resnet50(keras):
    return keras.applications.ResNet50(weights=None)


def _torch_resnet50(torch):
    from applications import _torch_resnet50  # bench/applications.py: torchvision's or written out

    return _torch_resnet50(torch)


WORKLOADS = {
    workload.name: workload
    for workload in [
        Workload(
            "mlp",
            "MLP 784-512-512-10 train",
            "train",
            (784,),
            10,
            {"cpu": 128, "gpu": 128},
            {"cpu": 100, "gpu": 200},
            _mlp,
            _torch_mlp,
        ),
        Workload(
            "cnn",
            "small CNN train (28x28x1)",
            "train",
            (28, 28, 1),
            10,
            {"cpu": 64, "gpu": 64},
            {"cpu": 30, "gpu": 200},
            _cnn,
            _torch_cnn,
        ),
        Workload(
            "tiny",
            "tiny Dense 4->1 train (overhead)",
            "train",
            (4,),
            0,
            {"cpu": 8, "gpu": 8},
            {"cpu": 500, "gpu": 500},
            _tiny,
            _torch_tiny,
        ),
        Workload(
            "lstm",
            "LSTM seq 50 hidden 256 train",
            "train",
            (50, 32),
            10,
            {"cpu": 64, "gpu": 64},
            {"cpu": 5, "gpu": 50},
            _lstm,
            _torch_lstm,
        ),
        Workload(
            "gru",
            "GRU seq 50 hidden 256 train",
            "train",
            (50, 32),
            10,
            {"cpu": 64, "gpu": 64},
            {"cpu": 5, "gpu": 50},
            _gru,
            _torch_gru,
        ),
        Workload(
            "transformer",
            "transformer encoder block train (seq 128, width 256, 4 heads)",
            "train",
            (128, 256),
            10,
            {"cpu": 32, "gpu": 32},
            {"cpu": 10, "gpu": 100},
            _transformer,
            _torch_transformer,
        ),
        Workload(
            "resnet50-train",
            "ResNet50 train step 224x224",
            "train",
            (224, 224, 3),
            1000,
            {"cpu": 32, "gpu": 64},
            {"cpu": 2, "gpu": 10},
            _resnet50,
            _torch_resnet50,
        ),
        Workload(
            "resnet50-infer",
            "ResNet50 inference 224x224",
            "inference",
            (224, 224, 3),
            1000,
            {"cpu": 8, "gpu": 64},
            {"cpu": 4, "gpu": 20},
            _resnet50,
            _torch_resnet50,
        ),
    ]
}


def data(workload, batch, steps):
    """`steps` batches of inputs (channels-last float32) and targets, the same for every runner."""
    rng = numpy.random.default_rng(0)
    count = batch * steps
    x = rng.standard_normal((count,) + workload.input_shape).astype("float32")
    if workload.classes == 0:
        return x, rng.standard_normal((count, 1)).astype("float32")
    return x, rng.integers(0, workload.classes, count)
