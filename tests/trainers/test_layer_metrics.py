"""A metric a layer updates in `call` (keras.io's endpoint layer) is part of `model.metrics`, reset each
epoch and reported in the logs, as in Keras (the layers of a nested model included, as Keras does)."""

import numpy
import pytest

import kerasish
from kerasish import ops


class CountingEndpoint(kerasish.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = kerasish.metrics.Sum(name="seen")

    def call(self, targets, predictions):
        self.add_loss(ops.mean(ops.square(targets - predictions)))
        self.seen.update_state(ops.sum(ops.ones_like(targets)))
        return predictions


def endpoint_model():
    inputs, targets = kerasish.Input((3,), name="inputs"), kerasish.Input((1,), name="targets")
    predictions = CountingEndpoint(name="endpoint")(targets, kerasish.layers.Dense(1)(inputs))
    return kerasish.Model([inputs, targets], predictions)


DATA = {"inputs": numpy.ones((8, 3), "float32"), "targets": numpy.zeros((8, 1), "float32")}


def test_a_layer_metric_is_in_model_metrics_and_in_the_logs(engine):
    model = endpoint_model()
    model.compile(optimizer="sgd", backend=engine)
    assert [metric.name for metric in model.metrics] == ["loss", "seen"]
    history = model.fit(DATA, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert history.history["seen"] == [8.0, 8.0]  # reset at each epoch
    assert model.evaluate(DATA, batch_size=4, verbose=0, return_dict=True)["seen"] == pytest.approx(8.0)


def test_the_layer_metrics_of_a_nested_model_are_the_outer_models_too():
    inner = endpoint_model()
    inputs, targets = kerasish.Input((3,), name="outer_inputs"), kerasish.Input((1,), name="outer_targets")
    outer = kerasish.Model([inputs, targets], inner([inputs, targets]))
    outer.compile(optimizer="sgd")
    assert [metric.name for metric in outer.metrics] == ["loss", "seen"]
