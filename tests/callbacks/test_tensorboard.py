"""TensorBoard: the event files are read back with TensorBoard's own reader (the `tensorboard` test
dependency), with Keras's run folders, tags and steps."""

import os

import numpy
import pytest

import kerasish
from kerasish import callbacks
from tests.callbacks.fit_model import regression_data

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
tensor_util = pytest.importorskip("tensorboard.util.tensor_util")


def read_run(folder):
    accumulator = event_accumulator.EventAccumulator(str(folder), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def values(accumulator, tag):
    return [(event.step, tensor_util.make_ndarray(event.tensor_proto)) for event in accumulator.Tensors(tag)]


def fitted(engine, log_dir, epochs=2, **arguments):
    x, y = regression_data(samples=32)
    model = kerasish.Sequential([kerasish.Input((4,)), kerasish.layers.Dense(1)])
    model.compile(optimizer=kerasish.optimizers.SGD(0.01), loss="mse", metrics=["mae"], backend=engine)
    board = callbacks.TensorBoard(log_dir=log_dir, **arguments)
    history = model.fit(x, y, batch_size=8, epochs=epochs, validation_split=0.25, callbacks=[board], verbose=0)
    return model, history


def test_epoch_scalars_are_the_history_in_train_and_validation_runs(engine, tmp_path):
    _, history = fitted(engine, tmp_path)
    train, validation = read_run(tmp_path / "train"), read_run(tmp_path / "validation")
    for name in ("loss", "mae"):
        steps, got = zip(*values(train, f"epoch_{name}"))
        assert steps == (0, 1)
        numpy.testing.assert_allclose(got, history.history[name], rtol=1e-6)
        _, got = zip(*values(validation, f"epoch_{name}"))
        numpy.testing.assert_allclose(got, history.history[f"val_{name}"], rtol=1e-6)
    numpy.testing.assert_allclose([v for _, v in values(train, "epoch_learning_rate")], [0.01, 0.01], rtol=1e-6)
    # validation after each epoch: 3 training steps per epoch
    assert [step for step, _ in values(validation, "evaluation_loss_vs_iterations")] == [3, 6]
    assert not any(tag.startswith("batch_") for tag in train.Tags()["tensors"])


@pytest.mark.parametrize("update_freq, steps", [("batch", list(range(1, 7))), (2, [2, 4, 6])])
def test_update_freq_writes_batch_scalars_at_the_global_batch(engine, tmp_path, update_freq, steps):
    fitted(engine, tmp_path, update_freq=update_freq, write_steps_per_second=True)
    train = read_run(tmp_path / "train")
    assert [step for step, _ in values(train, "batch_loss")] == steps
    rates = values(train, "batch_steps_per_second")
    assert [step for step, _ in rates] == steps and all(value > 0 for _, value in rates)
    assert [step for step, _ in values(train, "epoch_steps_per_second")] == [0, 1]


def test_histograms_of_every_weight_every_histogram_freq_epochs(engine, tmp_path):
    model, _ = fitted(engine, tmp_path, epochs=3, histogram_freq=2)
    train = read_run(tmp_path / "train")
    kernel = model.layers[0].kernel
    histograms = values(train, f"{kernel.path}/histogram")
    assert [step for step, _ in histograms] == [0, 2]
    buckets = histograms[-1][1]  # (buckets, 3): left edge, right edge, count
    assert buckets[:, 2].sum() == kernel.numpy().size
    assert buckets[0, 0] == pytest.approx(kernel.numpy().min(), rel=1e-6)
    assert buckets[-1, 1] == pytest.approx(kernel.numpy().max(), rel=1e-6)
    assert f"{model.layers[0].bias.path}/histogram" in train.Tags()["tensors"]


def test_write_graph_records_the_model_config_for_the_graph_plugin(tmp_path):
    model = kerasish.Sequential([kerasish.Input((4,)), kerasish.layers.Dense(1)])
    board = callbacks.TensorBoard(log_dir=tmp_path)
    board.set_model(model)
    board.on_train_end()
    train = read_run(tmp_path / "train")
    (event,) = train.Tensors("keras")
    assert train.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    assert tensor_util.make_ndarray(event.tensor_proto).item().decode() == model.to_json()
    board = callbacks.TensorBoard(log_dir=tmp_path / "no_graph", write_graph=False)
    board.set_model(model)
    assert not os.path.exists(tmp_path / "no_graph")


def test_arguments_kerasish_cannot_honour_warn_and_bad_values_are_refused(tmp_path):
    for argument in ({"profile_batch": 2}, {"write_images": True}, {"embeddings_freq": 1}):
        name = next(iter(argument))
        with pytest.warns(UserWarning, match=f"{name}=.* is accepted, but kerasish writes no"):
            callbacks.TensorBoard(log_dir=tmp_path, **argument)
    with pytest.raises(ValueError, match="Received: update_freq='often'"):
        callbacks.TensorBoard(update_freq="often")
    with pytest.raises(ValueError, match="Received: histogram_freq=-1"):
        callbacks.TensorBoard(histogram_freq=-1)


def test_without_tensorboard_the_error_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)
    with pytest.raises(ImportError, match=r"pip install 'kerasish\[tensorboard\]'"):
        callbacks.TensorBoard()


def test_the_event_files_match_what_keras_writes(tmp_path):
    """Keras's own TensorBoard callback (TensorFlow's summary writer) where both are installed."""
    pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    x, y = regression_data(samples=16)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(log_dir=tmp_path / "keras")])
    _, history = fitted("dynamic", tmp_path / "ours", epochs=1)
    theirs, ours = read_run(tmp_path / "keras" / "train"), read_run(tmp_path / "ours" / "train")
    for tag in theirs.Tags()["tensors"]:
        assert tag in ours.Tags()["tensors"]
        assert theirs.SummaryMetadata(tag).plugin_data.plugin_name == ours.SummaryMetadata(tag).plugin_data.plugin_name
