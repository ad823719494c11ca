"""Host transfers of `fit` on the GPU path, counted by the strict stand-in on both engines: none inside a
training step with verbose=0 (only the epoch's logs are read, for History), and with a progress bar only the
values it displays."""

import json

import pytest

from tests.gpu_standin.test_suite_on_standin import run_on_standin

EPOCHS, LOGS = 2, 2  # the script's fit: 2 epochs, logs "loss" and "accuracy"


@pytest.fixture(scope="module")
def counts():
    result = run_on_standin("tests/gpu_standin/count_transfers.py", timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_no_host_transfer_inside_a_step_without_a_progress_bar(counts, engine):
    assert counts[f"{engine}/0/2"] == counts[f"{engine}/0/6"] == EPOCHS * LOGS


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_a_progress_bar_reads_only_the_values_it_displays(counts, engine):
    per_step = (counts[f"{engine}/1/6"] - counts[f"{engine}/1/2"]) / (EPOCHS * (6 - 2))
    assert per_step == LOGS
