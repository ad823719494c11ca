import io
import re
import sys

import pytest

from kerasish.utils import Progbar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_averages_stateless_metrics_weighted_by_steps(capsys):
    bar = Progbar(4, verbose=2)
    bar.update(1, [("loss", 4.0)])
    bar.add(2, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    bar.update(4, [("loss", 2.0)], finalize=False)
    bar.update(4, finalize=True)
    line = capsys.readouterr().out
    assert re.match(r"^4/4 - \d+s \d+(us|ms|s)/step - loss: 2\.0000\n$", line), line


def test_stateful_metrics_are_shown_as_given(capsys):
    bar = Progbar(2, verbose=1, stateful_metrics=["acc"])
    bar.update(1, [("acc", 0.5), ("loss", 1.0)])
    bar.update(2, [("acc", 0.75), ("loss", 3.0)], finalize=False)
    bar.update(2, [], finalize=True)
    assert capsys.readouterr().out.endswith("- acc: 0.7500 - loss: 2.0000\n")


def test_small_values_use_scientific_notation_and_unknown_target(capsys):
    bar = Progbar(None, verbose=2)
    bar.update(5, [("loss", 1e-5)], finalize=True)
    assert re.match(r"^5/Unknown - \d+s \d+(us|ms|s)/step - loss: 1\.0000e-05\n$", capsys.readouterr().out)


def test_not_a_terminal_means_no_control_characters(capsys):
    bar = Progbar(100, verbose=1, interval=0)
    for step in range(1, 101):
        bar.update(step, [("loss", 1.0)])
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and not re.search("[\r\b\x1b]", out)


def test_on_a_terminal_the_bar_is_redrawn_live(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    bar = Progbar(3, verbose=1, interval=0, unit_name="sample")
    for step in range(1, 4):
        bar.update(step, [("loss", 1.0)])
    out = terminal.getvalue()
    assert re.search(r"\r2/3 \S*━+\S* +\S* 00:00 \d+(us|ms|s)/sample - loss: 1\.0000", out), out
    assert re.search(r"\r3/3 - \d+s \d+(us|ms|s)/sample - loss: 1\.0000\n$", out), out


def test_verbose_zero_is_silent(capsys):
    Progbar(2, verbose=0).update(2, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_stateful_and_stateless_together_is_an_error():
    with pytest.raises(ValueError, match="only one of `stateful_metrics` or `stateless_metrics`"):
        Progbar(1, stateful_metrics=["a"], stateless_metrics=["b"])
