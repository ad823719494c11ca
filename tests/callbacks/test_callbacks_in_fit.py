"""Callbacks driven by the real `fit` on both engines."""

import re

import numpy
import pytest

from kerasish.callbacks import (
    BackupAndRestore,
    CallbackList,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from tests.callbacks.fit_model import compiled_model, regression_data


def copied_weights(model):
    return [numpy.array(weight, copy=True) for weight in model.get_weights()]


def test_history_and_one_line_per_epoch_in_logs(engine, capsys):
    x, y = regression_data()
    model = compiled_model(engine)
    history = model.fit(x, y, batch_size=16, epochs=2, validation_split=0.25, verbose="auto")
    assert history is model.history and history.epoch == [0, 1]
    assert set(history.history) == {"loss", "val_loss"} and history.history["loss"][1] < history.history["loss"][0]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.match(r"^3/3 - \d+s \d+(us|ms|s)/step - loss: \d+\.\d{4} - val_loss: \d+\.\d{4}$", lines[3]), lines


def test_early_stopping_restores_the_best_weights(engine):
    x, y = regression_data()
    model = compiled_model(engine)
    weights = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(copied_weights(model)))
    # in "max" mode a falling loss never improves: training stops after epoch 1, keeping epoch 0's weights
    stop = EarlyStopping(monitor="loss", mode="max", restore_best_weights=True)
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0, callbacks=[record, stop])
    assert history.epoch == [0, 1] and stop.stopped_epoch == 1
    assert not numpy.array_equal(weights[0][0], weights[1][0])
    for restored, best in zip(model.get_weights(), weights[0]):
        numpy.testing.assert_array_equal(restored, best)


def test_a_zero_learning_rate_set_by_the_scheduler_freezes_the_weights(engine):
    x, y = regression_data()
    model = compiled_model(engine)
    weights = {}

    def record_weights(moment):
        return lambda epoch, logs: weights.update({(moment, epoch): copied_weights(model)})

    record = LambdaCallback(on_epoch_begin=record_weights("begin"), on_epoch_end=record_weights("end"))
    schedule = LearningRateScheduler(lambda epoch, lr: 0.0 if epoch == 1 else 0.01)
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[schedule, record])
    numpy.testing.assert_allclose(history.history["learning_rate"], [0.01, 0.0, 0.01], rtol=1e-6)
    numpy.testing.assert_array_equal(weights["begin", 1][0], weights["end", 1][0])
    assert not numpy.array_equal(weights["begin", 2][0], weights["end", 2][0])


def test_reduce_on_plateau_assigns_the_optimizer_learning_rate(engine):
    x, y = regression_data()
    model = compiled_model(engine)
    variable = model.optimizer.learning_rate
    reduce = ReduceLROnPlateau(monitor="loss", mode="max", factor=0.5, patience=1, min_delta=0)
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[reduce])
    assert model.optimizer.learning_rate is variable
    numpy.testing.assert_allclose(history.history["learning_rate"], [0.01, 0.01, 0.005], rtol=1e-6)
    numpy.testing.assert_allclose(float(variable.numpy()), 0.0025, rtol=1e-6)


def test_terminate_on_nan_stops_at_the_first_bad_batch(engine, capsys):
    x, y = regression_data()
    y[20] = numpy.nan
    model = compiled_model(engine)
    batches = []
    count = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[TerminateOnNaN(), count])
    assert batches == [0, 1] and history.epoch == [0]
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out


def test_backup_and_restore_resumes_fit_after_a_crash(engine, tmp_path):
    x, y = regression_data()

    def crash_at_epoch_2(epoch, logs):
        if epoch == 2:
            raise KeyboardInterrupt("killed")

    model = compiled_model(engine)
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            x,
            y,
            batch_size=16,
            epochs=4,
            shuffle=False,
            verbose=0,
            callbacks=[BackupAndRestore(tmp_path), LambdaCallback(on_epoch_begin=crash_at_epoch_2)],
        )
    restarted = compiled_model(engine)
    restarted(x[:1])
    history = restarted.fit(
        x, y, batch_size=16, epochs=4, shuffle=False, verbose=0, callbacks=[BackupAndRestore(tmp_path)]
    )
    assert history.epoch == [2, 3]
    uninterrupted = compiled_model(engine)
    uninterrupted.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    for resumed, expected in zip(restarted.get_weights(), uninterrupted.get_weights()):
        numpy.testing.assert_allclose(resumed, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "metric, monitor, best_is_high", [("accuracy", "val_accuracy", True), ("mse", "val_mse", False)]
)
def test_auto_mode_reads_the_direction_of_compiled_metrics(engine, metric, monitor, best_is_high):
    import kerasish

    x, y = regression_data()
    labels = (y[:, 0] > numpy.median(y)).astype("int64")
    model = kerasish.Sequential([kerasish.Input((4,)), kerasish.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=[metric], backend=engine)
    stop = EarlyStopping(monitor=monitor, patience=1)
    model.fit(x, numpy.eye(2, dtype="float32")[labels], epochs=1, validation_split=0.25, verbose=0, callbacks=[stop])
    assert stop.monitor_op(1.0, 0.0) is best_is_high


def test_batch_hooks_that_no_callback_implements_are_not_called(engine, monkeypatch):
    called = []
    for hook in ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end"):
        original = getattr(CallbackList, hook)
        monkeypatch.setattr(
            CallbackList, hook, lambda self, batch, logs=None, hook=hook, original=original: called.append(hook)
        )
    model = compiled_model(engine)
    x, y = regression_data(32)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(x[:16], y[:16]))
    model.evaluate(x, y, batch_size=8, verbose=0)
    assert called == []


def test_a_callback_list_that_overrides_the_batch_hooks_gets_every_call(engine):
    seen = []

    class Recording(CallbackList):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(("train_begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("train_end", batch, sorted(logs)))

        def on_test_batch_end(self, batch, logs=None):
            seen.append(("test_end", batch, sorted(logs)))

    model = compiled_model(engine)
    x, y = regression_data(32)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=Recording(model=model), validation_data=(x, y))
    assert seen == [
        ("train_begin", 0),
        ("train_end", 0, ["loss"]),
        ("train_begin", 1),
        ("train_end", 1, ["loss"]),
        ("test_end", 0, ["loss"]),
        ("test_end", 1, ["loss"]),
    ]
