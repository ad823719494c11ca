"""Issue 13 item 11: losses and metrics called on symbolic tensors whose batch dimension is unknown
(inside a layer's `call`, keras.io's "endpoint layer" pattern) reduce with the batch size counted
when the step runs, on both engines."""

import numpy
import pytest

import kerasish as keras
from kerasish import ops


class LogisticEndpoint(keras.layers.Layer):
    """keras.io's endpoint layer: adds the loss of its inputs, tracks metrics, returns predictions."""

    def __init__(self, loss_fn, name=None):
        super().__init__(name=name)
        self.loss_fn = loss_fn
        self.mean_loss = keras.metrics.Mean()
        self.squared_error = keras.metrics.MeanSquaredError()

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        self.mean_loss.update_state(loss)
        self.squared_error.update_state(targets, logits)
        return ops.softmax(logits)


def _endpoint_model(loss_fn):
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    sample_weights = keras.Input(shape=(1,), name="sample_weights")
    logits = keras.layers.Dense(10, name="logits")(inputs)
    predictions = LogisticEndpoint(loss_fn, name="predictions")(targets, logits, sample_weights)
    return keras.Model(inputs=[inputs, targets, sample_weights], outputs=predictions)


def _data(samples=12):
    rng = numpy.random.default_rng(0)
    return {
        "inputs": rng.random((samples, 3)).astype(numpy.float32),
        "targets": rng.random((samples, 10)).astype(numpy.float32),
        "sample_weights": rng.random((samples, 1)).astype(numpy.float32),
    }


@pytest.mark.parametrize(
    "loss_fn",
    [
        keras.losses.BinaryCrossentropy(from_logits=True),
        keras.losses.MeanSquaredError(reduction="mean"),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    ],
    ids=["bce", "mse-mean", "masked"],
)
def test_endpoint_layer_trains_and_its_loss_is_the_weighted_mean(engine, loss_fn):
    if isinstance(loss_fn, keras.losses.SparseCategoricalCrossentropy):
        loss_fn = _sparse_on_rounded_targets(loss_fn)
    model = _endpoint_model(loss_fn)
    model.compile(optimizer="adam", backend=engine)
    data = _data()
    history = model.fit(data, epochs=2, batch_size=5, verbose=0).history["loss"]  # 12 = 5 + 5 + 2: a short batch
    assert numpy.all(numpy.isfinite(history))
    # the loss the model reports is the loss of the whole batch, reduced over its true size
    logits = model.get_layer("logits")(data["inputs"])
    expected = loss_fn(data["targets"], logits, data["sample_weights"]).numpy()
    evaluated = model.evaluate(data, batch_size=12, verbose=0, return_dict=True)  # the layer's metrics too
    numpy.testing.assert_allclose(evaluated["loss"], expected, rtol=1e-5)
    numpy.testing.assert_allclose(evaluated["mean"], expected, rtol=1e-5)


def _sparse_on_rounded_targets(loss_fn):
    """A masked loss (a mask over the entries) on integer targets derived from the float ones."""

    def masked(targets, logits, sample_weights):
        labels = ops.cast(ops.argmax(targets, axis=-1), "int32")
        return loss_fn(labels, logits, sample_weights)

    return masked


SYMBOLIC = [
    ("mean", keras.losses.MeanSquaredError(), ((3,), "float32"), (3,)),
    ("masked", keras.losses.SparseCategoricalCrossentropy(ignore_class=1), ((), "int32"), (4,)),
    ("circle", keras.losses.Circle(), ((), "int32"), (5,)),
    ("ctc", keras.losses.CTC(), ((4,), "int32"), (7, 5)),
]


@pytest.mark.parametrize("name, loss, target, prediction", SYMBOLIC, ids=[case[0] for case in SYMBOLIC])
def test_losses_on_keras_tensors_of_unknown_batch_give_a_scalar(name, loss, target, prediction):
    value = loss(keras.Input(shape=target[0], dtype=target[1]), keras.Input(shape=prediction))
    assert tuple(value.shape) == ()
