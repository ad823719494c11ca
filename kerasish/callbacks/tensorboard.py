"""TensorBoard: event files TensorBoard reads, written as Keras's callback writes them (`<log_dir>/train` and
`<log_dir>/validation`, the same tags and steps), through the optional `tensorboard` package
(callbacks/event_file.py)."""

import os
import time
import warnings

import numpy

from kerasish.callbacks.callback import Callback
from kerasish.callbacks.event_file import EventFile, require_tensorboard
from kerasish.distribution.distribution_lib import chief_only, is_chief


class TensorBoard(Callback):
    """Args:
    log_dir: The folder of the run; the training and validation event files go to its `train` and
        `validation` sub-folders.
    histogram_freq: Every how many epochs to write a histogram of each weight (0: never).
    write_graph: Write the model's config at the start, which TensorBoard's graph tab draws (Keras's
        "conceptual graph"; there is no TensorFlow op graph to write).
    write_images: Accepted for Keras's signature; kerasish does not write weights as images (it warns).
    write_steps_per_second: Also write the training steps per second (per epoch, and per batch when
        `update_freq` writes batches).
    update_freq: `"epoch"` writes the epoch metrics only; `"batch"` or an integer N also writes the
        training metrics of every N-th batch, as `batch_<name>` at the global batch number.
    profile_batch: Accepted for Keras's signature; kerasish has no profiler to trace with (it warns).
    embeddings_freq, embeddings_metadata: Accepted for Keras's signature; the projector needs TensorFlow
        checkpoints, which kerasish does not write (it warns).
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq=0,
        write_graph=True,
        write_images=False,
        write_steps_per_second=False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq=0,
        embeddings_metadata=None,
    ):
        super().__init__()
        require_tensorboard()
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (
            not isinstance(update_freq, int) or isinstance(update_freq, bool) or update_freq < 1
        ):
            raise ValueError(
                "TensorBoard: `update_freq` must be 'epoch', 'batch' or an integer >= 1. "
                f"Received: update_freq={update_freq!r}"
            )
        if not isinstance(histogram_freq, int) or isinstance(histogram_freq, bool) or histogram_freq < 0:
            raise ValueError(
                f"TensorBoard: `histogram_freq` must be an integer >= 0. Received: histogram_freq={histogram_freq!r}"
            )
        for argument, value, missing in (
            ("write_images", write_images, "weight images"),
            ("profile_batch", profile_batch, "profiler traces (kerasish has no profiler to trace with)"),
            ("embeddings_freq", embeddings_freq, "projector embeddings (they need TensorFlow checkpoints)"),
        ):
            if value:
                warnings.warn(
                    f"TensorBoard: {argument}={value!r} is accepted, but kerasish writes no {missing}.", stacklevel=2
                )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0
        self._batch_start_time = self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0

    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = EventFile(os.path.join(self.log_dir, run))
        return self._writers[run]

    def set_model(self, model):
        super().set_model(model)
        self._close_writers()
        if is_chief() and self.write_graph and type(model).__name__ in ("Functional", "Sequential"):
            try:
                json_string = model.to_json()
            except (TypeError, ValueError, NotImplementedError) as error:
                warnings.warn(
                    f"TensorBoard: the model's config could not be written as JSON; skipped ({error})", stacklevel=2
                )
            else:
                self._writer("train").keras_model("keras", json_string, step=0)

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    @chief_only
    def on_train_end(self, logs=None):
        self._close_writers()

    @chief_only
    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "iterations"):
            return
        step = int(numpy.asarray(optimizer.iterations.numpy()))
        writer = self._writer("validation")
        for name, value in (logs or {}).items():
            writer.scalar(f"evaluation_{name}_vs_iterations", value, step=step)
        writer.flush()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.perf_counter()

    @chief_only
    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._batch_start_time
            writer.scalar("batch_steps_per_second", 1.0 / max(elapsed, 1e-9), step=self._global_train_batch)
        for name, value in (logs or {}).items():
            writer.scalar(f"batch_{name}", value, step=self._global_train_batch)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()
            self._epoch_start_time = time.perf_counter()

    @chief_only
    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train_logs = {name: value for name, value in logs.items() if not name.startswith("val_")}
        validation_logs = {name[4:]: value for name, value in logs.items() if name.startswith("val_")}
        train_logs.update(self._learning_rates())
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start_time
            train_logs["steps_per_second"] = (self._iterations() - self._epoch_start_iterations) / max(elapsed, 1e-9)
        for run, run_logs in (("train", train_logs), ("validation", validation_logs)):
            if run_logs:
                writer = self._writer(run)
                for name, value in run_logs.items():
                    writer.scalar(f"epoch_{name}", value, step=epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        return int(numpy.asarray(optimizer.iterations.numpy())) if optimizer is not None else 0

    def _learning_rates(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return {}
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "optimizers"):
            return {f"learning_rate_{inner.name}": _float(inner.learning_rate) for inner in optimizer.optimizers}
        return {"learning_rate": _float(optimizer.learning_rate)}

    def _write_histograms(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                writer.histogram(
                    f"{weight.path.replace(':', '_')}/histogram", numpy.asarray(weight.numpy()), step=epoch
                )

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


def _float(value):
    return float(numpy.asarray(value.numpy() if hasattr(value, "numpy") else value))
