"""A stand-in for a compiled Model, and a loop that drives callbacks the way `fit` does.

The callbacks only need the model's public surface (weights, optimizer.learning_rate, save and
load of weights, stop_training), so they are tested against this small object.
"""

import json

import numpy

import kerasish
from kerasish.backends.io.read_errors import reading
from kerasish.callbacks import CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = kerasish.Variable(learning_rate, name="learning_rate")
        self.iterations = 0
        self.built = True


class FakeMetric:
    def __init__(self, name, direction):
        self.name, self._direction = name, direction


class FakeModel:
    """Weights are a list of arrays; `train_epoch` moves them, so each epoch's weights differ."""

    def __init__(self, metrics=()):
        self.weights = [numpy.zeros((2, 2), "float32"), numpy.zeros(2, "float32")]
        self.optimizer = FakeOptimizer()
        self.metrics = list(metrics)
        self.stop_training = False
        self.history = None
        self.built = True
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [numpy.array(w) for w in weights]

    def train_epoch(self, epoch):
        self.weights = [w + epoch + 1 for w in self.weights]
        self.optimizer.iterations += 1

    def save_weights(self, filepath, overwrite=True):
        state = {"weights": [w.tolist() for w in self.weights], "iterations": self.optimizer.iterations}
        with open(filepath, "w") as file:
            json.dump(state, file)
        self.saved.append(filepath)

    def save(self, filepath, overwrite=True):
        self.save_weights(filepath, overwrite)

    def load_weights(self, filepath):
        with reading(filepath, "weights file"), open(filepath) as file:
            state = json.load(file)
        self.set_weights(state["weights"])
        self.optimizer.iterations = state["iterations"]


def run_fit(model, callbacks, epoch_logs, steps=2, verbose=0, initial_epoch=0):
    """Drive `callbacks` through len(epoch_logs) epochs like `fit` does; returns the epochs run."""
    callback_list = CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=len(epoch_logs),
        steps=steps,
    )
    model.stop_training = False
    callback_list.on_train_begin()
    initial_epoch = getattr(model, "_initial_epoch", None) or initial_epoch
    ran = []
    for epoch in range(initial_epoch, len(epoch_logs)):
        callback_list.on_epoch_begin(epoch)
        logs = epoch_logs[epoch]
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            callback_list.on_train_batch_end(step, {k: v for k, v in logs.items() if not k.startswith("val_")})
            if model.stop_training:
                break
        model.train_epoch(epoch)
        ran.append(epoch)
        callback_list.on_epoch_end(epoch, dict(logs))
        if model.stop_training:
            break
    callback_list.on_train_end()
    return ran


def losses(*values, key="val_loss"):
    return [{"loss": float(v), key: float(v)} for v in values]
