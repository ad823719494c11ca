"""BackupAndRestore under crashes and damage, with the real `fit` on both engines.

Each case crashes a run, perhaps damages the backup, restarts, and checks that the restarted run
trains exactly the epochs that remain and ends with the same weights and optimizer state as a run
that was never interrupted (numpy, seeded data, shuffle=False: bit for bit).
"""

import json
import os

import numpy
import pytest

import kerasish
from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.callbacks import BackupAndRestore, LambdaCallback, backup_and_restore
from tests.callbacks.fit_model import Linear, regression_data

EPOCHS = 5


class Killed(BaseException):
    """Stands for the process being killed: no `except Exception` catches it."""


def compiled_model(engine):
    model = kerasish.Sequential([kerasish.Input((4,)), Linear()])
    model.compile(optimizer=kerasish.optimizers.Adam(0.05), loss="mse", backend=engine)
    return model


def state(model):
    return [numpy.array(v.numpy()) for v in model.weights + model.optimizer.variables]


def fit(model, callbacks=()):
    x, y = regression_data()
    return model.fit(x, y, batch_size=16, epochs=EPOCHS, shuffle=False, verbose=0, callbacks=list(callbacks))


def killed_at_epoch(epoch_to_kill):
    def on_epoch_begin(epoch, logs):
        if epoch == epoch_to_kill:
            raise Killed(f"killed at the start of epoch {epoch}")

    return LambdaCallback(on_epoch_begin=on_epoch_begin)


@pytest.fixture(scope="module")
def uninterrupted():
    results = {}
    for engine in ("dynamic", "static"):
        model = compiled_model(engine)
        fit(model)
        results[engine] = state(model)
    return results


def resume(engine, backup, uninterrupted, epochs_left, **options):
    model = compiled_model(engine)
    history = fit(model, [BackupAndRestore(backup, **options)])
    assert history.epoch == list(range(EPOCHS - epochs_left, EPOCHS))
    for resumed, expected in zip(state(model), uninterrupted[engine]):
        numpy.testing.assert_array_equal(resumed, expected)
    assert not os.path.exists(backup)


def record(backup, name="training_metadata.json"):
    return json.loads((backup / name).read_text())


def test_a_kill_between_the_weights_and_the_epoch_record_trains_no_epoch_twice(
    engine, tmp_path, monkeypatch, uninterrupted
):
    backup = tmp_path / "backup"
    write = backup_and_restore.write_text_atomically
    records = []

    def killed_before_the_third_record(path, text):
        if os.path.basename(path) == "training_metadata.json":
            records.append(text)
            if len(records) == 3:
                raise Killed("killed after the weights of epoch 3 were written")
        write(path, text)

    monkeypatch.setattr(backup_and_restore, "write_text_atomically", killed_before_the_third_record)
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup)])
    monkeypatch.undo()
    assert record(backup)["epoch"] == 2
    resume(engine, backup, uninterrupted, epochs_left=3)


@pytest.mark.parametrize("damage", ["truncated weights", "missing weights", "garbage record", "binary record"])
def test_a_damaged_backup_falls_back_to_the_previous_one(engine, tmp_path, uninterrupted, damage):
    backup = tmp_path / "backup"
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup, double_checkpoint=True), killed_at_epoch(3)])
    assert record(backup)["epoch"] == 3 and record(backup, "training_metadata.json.bkp")["epoch"] == 2
    weights = backup / record(backup)["weights"]
    if damage == "truncated weights":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif damage == "missing weights":
        weights.unlink()
    elif damage == "garbage record":
        (backup / "training_metadata.json").write_text('{"epoch": 3, "wei')
    else:
        (backup / "training_metadata.json").write_bytes(b"\xff\xfe\x00garbage")
    resume(engine, backup, uninterrupted, epochs_left=3, double_checkpoint=True)


def test_damage_to_both_copies_is_a_clear_error_and_changes_nothing(engine, tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup, double_checkpoint=True), killed_at_epoch(3)])
    for name in ("training_metadata.json", "training_metadata.json.bkp"):
        weights = backup / record(backup, name)["weights"]
        weights.write_bytes(weights.read_bytes()[:1000])
    model = compiled_model(engine)
    model(numpy.zeros((1, 4), "float32"))
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(UnreadableFileError, match="cannot be read .*nor can the previous one"):
        fit(model, [BackupAndRestore(backup, double_checkpoint=True)])
    for weight, original in zip(model.get_weights(), before):
        numpy.testing.assert_array_equal(weight, original)


def test_without_a_previous_copy_a_damaged_backup_is_an_error(engine, tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup), killed_at_epoch(3)])
    assert sorted(os.listdir(backup)) == ["backup-3.weights.h5", "training_metadata.json"]
    (backup / "backup-3.weights.h5").write_bytes(b"garbage")
    with pytest.raises(UnreadableFileError, match="backup-3.weights.h5"):
        fit(compiled_model(engine), [BackupAndRestore(backup)])


def test_a_resumed_run_keeps_one_previous_copy_and_no_stale_files(engine, tmp_path, uninterrupted):
    backup = tmp_path / "backup"
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup, double_checkpoint=True), killed_at_epoch(2)])
    (backup / "backup-7.weights.h5").write_bytes(b"left by a run killed before its record")
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup, double_checkpoint=True), killed_at_epoch(4)])
    assert sorted(os.listdir(backup)) == [
        "backup-3.weights.h5",
        "backup-4.weights.h5",
        "training_metadata.json",
        "training_metadata.json.bkp",
    ]
    resume(engine, backup, uninterrupted, epochs_left=1)


def test_a_backup_in_keras_layout_resumes(engine, tmp_path, uninterrupted):
    """Keras writes `latest.weights.h5` beside a record without "weights" (kerasish did too, before
    backups became one atomic step): a run interrupted under that layout still resumes."""
    backup = tmp_path / "backup"
    with pytest.raises(Killed):
        fit(compiled_model(engine), [BackupAndRestore(backup), killed_at_epoch(2)])
    weights = backup / record(backup)["weights"]
    os.replace(weights, backup / "latest.weights.h5")
    (backup / "training_metadata.json").write_text(json.dumps({"epoch": 2, "batch": 0}))
    resume(engine, backup, uninterrupted, epochs_left=EPOCHS - 2)
