import math

import pytest

from kerasish.callbacks import CSVLogger, TerminateOnNaN
from tests.callbacks.fake_model import FakeModel, losses, run_fit


def test_terminate_on_nan_stops_and_says_why(capsys):
    model = FakeModel()
    ran = run_fit(model, [TerminateOnNaN()], [{"loss": 1.0}, {"loss": math.nan}, {"loss": 1.0}])
    assert ran == [0, 1] and model.stop_training
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_inf_can_raise():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0. Loss value: inf"):
        run_fit(FakeModel(), [TerminateOnNaN(raise_error=True)], [{"loss": math.inf}])


def test_csv_logger_writes_a_row_per_epoch_with_na_for_missing_values(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path)], [{"loss": 0.5, "acc": 0.25}, {"loss": 0.125, "acc": 0.75}])
    assert path.read_text().splitlines() == [
        "epoch,acc,loss,val_acc,val_loss",
        "0,0.25,0.5,NA,NA",
        "1,0.75,0.125,NA,NA",
    ]


def test_csv_logger_append_adds_rows_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path, separator=";")], losses(2))
    run_fit(FakeModel(), [CSVLogger(path, separator=";", append=True)], losses(1))
    assert path.read_text().splitlines() == ["epoch;loss;val_loss", "0;2.0;2.0", "0;1.0;1.0"]


def test_csv_logger_without_append_starts_over(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(), [CSVLogger(path)], losses(2, 3))
    run_fit(FakeModel(), [CSVLogger(path)], losses(1))
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "0,1.0,1.0"]
