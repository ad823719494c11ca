"""keras.io, the `TensorBoard` callback: training with `keras.callbacks.TensorBoard(log_dir=...)` writes event
files under `log_dir/train` and `log_dir/validation`, which TensorBoard's own reader reads back. Only what
is deterministic is compared: the scalar tags and their values per epoch (file names hold times and hosts)."""

import json
import os
import shutil

import numpy
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util

import kerasish as keras

shutil.rmtree("logs", ignore_errors=True)  # a fresh run: only its own event files
rng = numpy.random.default_rng(17)
x = rng.random((16, 3)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.BinaryCrossentropy(from_logits=True))
history = model.fit(
    x,
    y,
    batch_size=8,
    epochs=3,
    shuffle=False,
    verbose=0,
    validation_data=(x[:4], y[:4]),
    callbacks=[keras.callbacks.TensorBoard(log_dir="logs")],
)


def scalars(folder):
    """The per-epoch scalars (`epoch_loss`, ...) as TensorBoard reads them: tensor summaries or plain scalars."""
    accumulator = EventAccumulator(os.path.join("logs", folder), size_guidance={"tensors": 0, "scalars": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    found = {}
    for tag in tags.get("scalars", []):
        found[tag] = [event.value for event in accumulator.Scalars(tag)]
    for tag in tags.get("tensors", []):
        if tag.startswith("epoch_"):
            found[tag] = [float(tensor_util.make_ndarray(event.tensor_proto)) for event in accumulator.Tensors(tag)]
    return {
        tag: values for tag, values in sorted(found.items()) if tag.startswith("epoch_") and "learning_rate" not in tag
    }


print(
    json.dumps(
        {
            "folders": sorted(os.listdir("logs")),
            "train": scalars("train"),
            "validation": scalars("validation"),
            "history_loss": history.history["loss"],
        }
    )
)
