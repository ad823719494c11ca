import io
import re
import sys

import pytest

from kerasish.callbacks import ProgbarLogger
from tests.callbacks.fake_model import FakeModel, run_fit

LINE = re.compile(r"^3/3 - \d+s \d+(us|ms|s)/step - acc: 0\.5000 - loss: 0\.2500$")


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("verbose", ["auto", 1, 2])
def test_logs_get_one_clean_line_per_epoch(capsys, verbose):
    run_fit(FakeModel(), [], [{"loss": 0.25, "acc": 0.5}] * 2, steps=3, verbose=verbose)
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out and "\x1b" not in out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert LINE.match(lines[1]) and LINE.match(lines[3]), lines


def test_verbose_zero_adds_no_progbar(capsys):
    run_fit(FakeModel(), [], [{"loss": 1.0}], verbose=0)
    assert capsys.readouterr().out == ""


def test_a_terminal_gets_a_live_bar(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    run_fit(FakeModel(), [], [{"loss": 0.25}], steps=3, verbose="auto")
    out = terminal.getvalue()
    assert out.startswith("\r0/3 "), out
    assert re.search(r"\r *\r?3/3 - \d+s \d+(us|ms|s)/step - loss: 0\.2500\n$", out), out


def test_evaluate_and_predict_outside_fit_get_their_own_bar(capsys):
    logger = ProgbarLogger()
    logger.set_params({"verbose": 2, "epochs": 1, "steps": None})
    logger.on_test_begin()
    for batch in range(4):
        logger.on_test_batch_end(batch, {"loss": 2.0})
    logger.on_test_end({"loss": 1.5})
    logger.on_predict_begin()
    logger.on_predict_batch_end(0)
    logger.on_predict_end()
    lines = capsys.readouterr().out.splitlines()
    assert re.match(r"^4/4 - \d+s \d+(us|ms|s)/step - loss: 1\.5000$", lines[0]), lines
    assert re.match(r"^1/1 - \d+s \d+(us|ms|s)/step$", lines[1]), lines


def test_validation_inside_fit_prints_nothing_extra(capsys):
    logger = ProgbarLogger()
    logger.set_params({"verbose": 2, "epochs": 1, "steps": 1})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    logger.on_train_batch_end(0, {"loss": 1.0})
    logger.on_test_begin()
    logger.on_test_batch_end(0, {"loss": 9.0})
    logger.on_test_end({"loss": 9.0})
    logger.on_epoch_end(0, {"loss": 1.0, "val_loss": 9.0})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].endswith("- loss: 1.0000 - val_loss: 9.0000")


def test_one_short_predict_batch_reports_its_real_step_time(capsys):
    import time

    import numpy

    import kerasish

    class Slow(kerasish.layers.Layer):
        def call(self, x):
            time.sleep(0.05)  # longer than any bookkeeping: the reported time must include it
            return x

    model = kerasish.Sequential([kerasish.Input((2,)), Slow()])
    model.predict(numpy.ones((3, 2), "float32"), verbose=2)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.match(r"^1/1 - \d+s (\d+)(us|ms|s)/step$", line)
    assert match, line
    amount, unit = int(match.group(1)), match.group(2)
    assert unit == "s" or (unit == "ms" and amount >= 50), line
