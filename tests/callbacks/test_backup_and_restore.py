import json
import os

import pytest

from kerasish.callbacks import BackupAndRestore, LambdaCallback
from tests.callbacks.fake_model import FakeModel, losses, run_fit


class Crash(Exception):
    pass


def crash_at(epoch_to_crash):
    def on_epoch_begin(epoch, logs):
        if epoch == epoch_to_crash:
            raise Crash(f"killed at epoch {epoch}")

    return LambdaCallback(on_epoch_begin=on_epoch_begin)


def test_resumes_at_the_epoch_after_the_last_completed_one(tmp_path):
    backup = tmp_path / "backup"
    model = FakeModel()
    with pytest.raises(Crash):
        run_fit(model, [BackupAndRestore(backup), crash_at(2)], losses(1, 1, 1, 1))
    assert sorted(os.listdir(backup)) == ["backup-2.weights.h5", "training_metadata.json"]
    assert json.loads((backup / "training_metadata.json").read_text()) == {
        "epoch": 2,
        "batch": 0,
        "weights": "backup-2.weights.h5",
    }

    restarted = FakeModel()
    ran = run_fit(restarted, [BackupAndRestore(backup)], losses(1, 1, 1, 1))
    assert ran == [2, 3]
    uninterrupted = FakeModel()
    run_fit(uninterrupted, [], losses(1, 1, 1, 1))
    assert (restarted.weights[0] == uninterrupted.weights[0]).all()
    assert restarted.optimizer.iterations == 4
    assert not backup.exists()


def test_keeps_the_backup_when_asked_and_double_checkpoint_keeps_the_previous_one(tmp_path):
    backup = tmp_path / "backup"
    run_fit(FakeModel(), [BackupAndRestore(backup, double_checkpoint=True, delete_checkpoint=False)], losses(1, 1))
    assert sorted(os.listdir(backup)) == [
        "backup-1.weights.h5",
        "backup-2.weights.h5",
        "training_metadata.json",
        "training_metadata.json.bkp",
    ]
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 2
    assert json.loads((backup / "training_metadata.json.bkp").read_text()) == {
        "epoch": 1,
        "batch": 0,
        "weights": "backup-1.weights.h5",
    }


def test_a_corrupt_latest_backup_falls_back_to_the_previous_one(tmp_path):
    backup = tmp_path / "backup"
    model = FakeModel()
    with pytest.raises(Crash):
        run_fit(model, [BackupAndRestore(backup, double_checkpoint=True), crash_at(2)], losses(1, 1, 1))
    (backup / "backup-2.weights.h5").write_text("garbage")
    ran = run_fit(model, [BackupAndRestore(backup)], losses(1, 1, 1))
    assert ran == [1, 2]


def test_save_freq_in_batches_and_argument_errors(tmp_path):
    backup = tmp_path / "backup"
    model = FakeModel()
    run_fit(model, [BackupAndRestore(backup, save_freq=3, delete_checkpoint=False)], losses(1, 1), steps=2)
    assert json.loads((backup / "training_metadata.json").read_text()) == {
        "epoch": 1,
        "batch": 0,
        "weights": "backup-1.weights.h5",
    }
    assert len(os.listdir(backup)) == 2
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    for bad in ("often", 0, -2, True):
        with pytest.raises(ValueError, match=f"save_freq={bad}"):
            BackupAndRestore(backup, save_freq=bad)


def test_an_unbuilt_model_is_refused(tmp_path):
    model = FakeModel()
    model.built = False
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        run_fit(model, [BackupAndRestore(tmp_path)], losses(1))
