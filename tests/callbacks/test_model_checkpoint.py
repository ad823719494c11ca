import json
import os

import pytest

from kerasish.callbacks import ModelCheckpoint
from tests.callbacks.fake_model import FakeModel, losses, run_fit


def saved_weights(path):
    with open(path) as file:
        return json.load(file)["weights"][0][0][0]


def test_filepath_fields_are_filled_from_the_epoch_and_the_logs(tmp_path):
    pattern = str(tmp_path / "ckpt" / "model-{epoch:02d}-{val_loss:.2f}.weights.h5")
    run_fit(FakeModel(), [ModelCheckpoint(pattern, save_weights_only=True)], losses(0.5, 0.25))
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["model-01-0.50.weights.h5", "model-02-0.25.weights.h5"]


def test_save_best_only_keeps_the_best_epoch(tmp_path):
    path = tmp_path / "best.keras"
    model = FakeModel()
    callback = ModelCheckpoint(path, save_best_only=True, verbose=1)
    run_fit(model, [callback], losses(3, 1, 2, 4))
    assert callback.best == 1 and len(model.saved) == 2
    assert saved_weights(path) == 3  # the weights after epoch 1: 1 + 2


def test_save_best_only_with_max_mode_and_initial_threshold(tmp_path):
    model = FakeModel()
    callback = ModelCheckpoint(
        tmp_path / "m.keras", monitor="acc", mode="max", save_best_only=True, initial_value_threshold=0.6
    )
    run_fit(model, [callback], [{"acc": 0.5}, {"acc": 0.7}, {"acc": 0.65}])
    assert len(model.saved) == 1 and callback.best == 0.7


def test_save_freq_in_batches_names_the_batch(tmp_path):
    model = FakeModel()
    run_fit(model, [ModelCheckpoint(str(tmp_path / "m-{epoch}-{batch}.keras"), save_freq=3)], losses(1, 1, 1), steps=2)
    assert sorted(os.listdir(tmp_path)) == ["m-2-1.keras", "m-3-2.keras"]


def test_a_crash_while_saving_leaves_the_previous_checkpoint(tmp_path):
    path = tmp_path / "model.keras"
    model = FakeModel()
    run_fit(model, [ModelCheckpoint(path)], losses(1))
    before = path.read_bytes()

    def crash(filepath, overwrite=True):
        with open(filepath, "w") as file:
            file.write("half a fi")
        raise OSError("disk full")

    model.save = crash
    with pytest.raises(OSError, match="disk full"):
        run_fit(model, [ModelCheckpoint(path)], losses(1))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.keras"]


def test_suffix_and_save_freq_errors():
    with pytest.raises(ValueError, match="must end in `.weights.h5`.*filepath=w.keras"):
        ModelCheckpoint("w.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`.*filepath=model.pt"):
        ModelCheckpoint("model.pt")
    with pytest.raises(ValueError, match="Unrecognized save_freq: batch"):
        ModelCheckpoint("m.keras", save_freq="batch")


def test_unknown_field_names_the_pattern(tmp_path):
    with pytest.raises(KeyError, match="Failed to format this callback filepath.*val_acc"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))], losses(1))


def test_a_directory_path_is_refused(tmp_path):
    (tmp_path / "dir.keras").mkdir()
    with pytest.raises(IOError, match="non-directory filepath"):
        run_fit(FakeModel(), [ModelCheckpoint(str(tmp_path / "dir.keras"))], losses(1))
