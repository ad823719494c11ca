"""keras.io, "The Functional API" / "Making new layers and models via subclassing": the "endpoint layer"
pattern. A layer takes the targets and the logits as inputs, computes a loss with a `keras.losses` object and
tracks a metric inside `call` (on symbolic tensors with an unknown batch size while the model is built), adds
the loss with `add_loss`, and returns the predictions; the model is compiled without a loss, and the layer's
metric appears in `model.metrics` and in the logs."""

import json

import numpy

import kerasish as keras
from kerasish import ops


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_fn = keras.metrics.BinaryAccuracy()

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        self.accuracy_fn.update_state(targets, ops.sigmoid(logits))
        return ops.sigmoid(logits)


inputs = keras.Input(shape=(3,), name="inputs")
targets = keras.Input(shape=(10,), name="targets")
logits = keras.layers.Dense(10)(inputs)
predictions = LogisticEndpoint(name="predictions")(targets, logits)
model = keras.Model(inputs=[inputs, targets], outputs=predictions)
rng = numpy.random.default_rng(4)
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.1))

data = {"inputs": rng.random((12, 3)).astype("float32"), "targets": (rng.random((12, 10)) > 0.5).astype("float32")}
history = model.fit(data, batch_size=4, epochs=2, shuffle=False, verbose=0)
print(
    json.dumps(
        {
            "history_keys": sorted(history.history),
            "loss": history.history["loss"],
            "binary_accuracy": history.history["binary_accuracy"],
            "metrics": [metric.name for metric in model.metrics],
            "predictions": model.predict(data, verbose=0)[:2].ravel().tolist(),
        }
    )
)
