"""keras.io, "Save, serialize, and export models": a model compiled with a registered custom loss function and
a custom metric class, saved to `.keras` and reloaded *compiled* (its `get_compile_config`, restored by
`compile_from_config`), then evaluated and trained further from where it stopped."""

import json

import numpy

import kerasish as keras
from kerasish import ops


@keras.saving.register_keras_serializable(package="my_losses")
def weighted_mae(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred) * (1.0 + y_true), axis=-1)


@keras.saving.register_keras_serializable(package="my_metrics")
class MeanPrediction(keras.metrics.Metric):
    def __init__(self, name="mean_prediction", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(ops.sum(y_pred))
        self.count.assign_add(ops.cast(ops.size(y_pred), "float32"))

    def result(self):
        return self.total / self.count


model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
rng = numpy.random.default_rng(21)
model.set_weights([rng.normal(0, 0.4, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss=weighted_mae, metrics=[MeanPrediction()])
x, y = rng.random((20, 5)).astype("float32"), rng.random((20, 1)).astype("float32")
model.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0)
compile_config = model.get_compile_config()
model.save("compiled.keras")

reloaded = keras.saving.load_model("compiled.keras")
fresh = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
fresh.compile_from_config(compile_config)
fresh.set_weights(reloaded.get_weights())
continued = reloaded.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0)
original = model.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0)
print(
    json.dumps(
        {
            "loss_config": compile_config["loss"]["config"],
            "reloaded_compiled": reloaded.compiled,
            "fresh_evaluation": fresh.evaluate(x, y, verbose=0),
            "continued": [continued.history["loss"], continued.history["mean_prediction"]],
            "original": [original.history["loss"], original.history["mean_prediction"]],
        }
    )
)
