"""A `kerasish train` run killed with SIGKILL after a checkpoint, started again with the same command,
ends with the same weights as a run never interrupted (numpy, same seed): bit for bit."""

import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy
import pytest

import kerasish

CONFIGS = pathlib.Path(__file__).resolve().parents[2] / "examples" / "configs"
# the MLP has dropout, so the random state must resume too; its step policy reads the iteration count
SHORT = ["--set", "solver.epochs=24", "--set", "solver.snapshot=21", "--set", "solver.test_interval=21"]


def command(prefix, engine):
    return [
        sys.executable,
        "-m",
        "kerasish",
        "train",
        str(CONFIGS / "digits_mlp.toml"),
        *SHORT,
        "--set",
        f"solver.snapshot_prefix={prefix}",
        "--set",
        f"solver.engine={engine}",
    ]


def final_weights(run):
    model = kerasish.models.load_model(str(run / "model.keras"), compile=False)
    return [numpy.asarray(weight) for weight in model.get_weights()]


# three training runs in fresh processes: the fast tier resumes in-process (tests/callbacks/test_callbacks_in_fit.py,
# tests/saving/test_keras_format.py)
@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_a_run_killed_after_a_checkpoint_resumes_to_the_same_weights(tmp_path, engine):
    environment = {**os.environ, "KERASISH_HOME": str(tmp_path / "home")}
    subprocess.run(command(tmp_path / "whole", engine), cwd=tmp_path, env=environment, check=True, capture_output=True)

    interrupted = tmp_path / "interrupted"
    record = interrupted / "checkpoints" / "training_metadata.json"
    process = subprocess.Popen(
        command(interrupted, engine),
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not record.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed after a checkpoint"
    assert record.exists()
    assert not (interrupted / "model.keras").exists()

    subprocess.run(command(interrupted, engine), cwd=tmp_path, env=environment, check=True, capture_output=True)
    for whole, resumed in zip(final_weights(tmp_path / "whole"), final_weights(interrupted), strict=True):
        numpy.testing.assert_array_equal(resumed, whole)
