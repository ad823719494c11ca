"""keras.io, "Writing your own callbacks" and the built-in ones: a custom `Callback` recording the logs of
each hook, `LearningRateScheduler`, `EarlyStopping` with `restore_best_weights`, `ModelCheckpoint` saving
the best weights, `CSVLogger`, and `History`."""

import csv
import json

import numpy

import kerasish as keras


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch}")

    def on_test_begin(self, logs=None):
        self.events.append("test_begin")


def schedule(epoch, lr):
    return lr if epoch < 2 else lr * 0.5


rng = numpy.random.default_rng(12)
x = rng.random((20, 3)).astype("float32")
y = (x @ numpy.array([[1.0], [2.0], [-1.0]], "float32")).astype("float32")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.3), loss="mse", metrics=["mae"])
recorder = Recorder()
history = model.fit(
    x,
    y,
    batch_size=10,
    epochs=6,
    shuffle=False,
    verbose=0,
    validation_data=(x[:6], y[:6]),
    callbacks=[
        recorder,
        keras.callbacks.LearningRateScheduler(schedule),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True),
        keras.callbacks.ModelCheckpoint(
            "best.weights.h5", monitor="val_loss", save_best_only=True, save_weights_only=True
        ),
        keras.callbacks.CSVLogger("log.csv"),
    ],
)
with open("log.csv", newline="") as file:
    logged = list(csv.DictReader(file))
restored = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
restored.load_weights("best.weights.h5")
print(
    json.dumps(
        {
            "events": recorder.events,
            "epochs_run": len(history.history["loss"]),
            "history_keys": sorted(history.history),
            "learning_rates": [float(lr) for lr in history.history.get("learning_rate", [])],
            "val_loss": history.history["val_loss"],
            "csv_columns": sorted(logged[0]),
            "csv_loss": [float(row["loss"]) for row in logged],
            "best_weights_predict": restored.predict(x[:3], verbose=0).ravel().tolist(),
            "model_predict": model.predict(x[:3], verbose=0).ravel().tolist(),
        }
    )
)
