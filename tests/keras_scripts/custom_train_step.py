"""keras.io, "Customizing what happens in `fit()`": a subclassed model built functionally whose `train_step`
unpacks `data` itself (and adds sample weights); then "Providing your own evaluation step", with its own
metric trackers."""

import json

import numpy

import kerasish as keras
from kerasish import ops

loss_tracker = keras.metrics.Mean(name="loss")
mae_metric = keras.metrics.MeanAbsoluteError(name="mae")


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data  # fit was given no sample weights: the step receives (x, y)
        sample_weight = ops.where(ops.greater(y[:, 0], 1.0), 2.0, 1.0)
        return super().train_step((x, y, sample_weight))


class CustomEvaluation(keras.Model):
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss_tracker.update_state(ops.mean(ops.square(y - y_pred)))
        mae_metric.update_state(y, y_pred)
        return {"loss": loss_tracker.result(), "mae": mae_metric.result()}

    @property
    def metrics(self):
        return [loss_tracker, mae_metric]


rng = numpy.random.default_rng(0)
inputs = keras.Input(shape=(8,))
hidden = keras.layers.Dense(16, activation="relu")(inputs)
outputs = keras.layers.Dense(1)(hidden)
model = CustomModel(inputs, outputs)
model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])

x = rng.random((64, 8)).astype("float32")
y = (x.sum(axis=1, keepdims=True) / 4).astype("float32")
history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)

evaluator = CustomEvaluation(inputs, outputs)  # the same layers, so the trained weights
evaluator.compile()
evaluation = evaluator.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
print(
    json.dumps(
        {
            "is_custom_model": isinstance(model, CustomModel),
            "loss": history.history["loss"],
            "mae": history.history["mae"],
            "evaluation": [evaluation["loss"], evaluation["mae"]],
            "prediction": model.predict(x[:4], verbose=0).ravel().tolist(),
        }
    )
)
