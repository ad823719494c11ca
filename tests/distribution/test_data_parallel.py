"""Data-parallel jobs of 2 and 3 processes started with mpiexec (distributed_worker.py runs in each),
checked against the same training in one process with the same global batch."""

import json
import os
import shutil
import subprocess
import sys

import numpy
import pytest

pytest.importorskip(
    "mpi4py", reason="distributed tests need mpi4py and an MPI library: pip install 'kerasish[distributed]'"
)
MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("distributed tests need `mpiexec` (the mpich wheel of kerasish[distributed])", allow_module_level=True)

pytestmark = pytest.mark.distributed
WORKER = os.path.join(os.path.dirname(__file__), "distributed_worker.py")
TIMEOUT = 120  # seconds for a whole job: a hang fails the test instead of blocking the suite
TOLERANCE = {"float64": 1e-12, "float32": 1e-5}


def _job(scenario, out, *options, processes=None):
    command = [sys.executable, WORKER, scenario, str(out), *options]
    if processes is None:
        command.append("--single")
    else:
        command = [MPIEXEC, "-n", str(processes)] + command
    os.makedirs(out, exist_ok=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)


def _results(scenario, out, *options, processes=None):
    job = _job(scenario, out, *options, processes=processes)
    assert job.returncode == 0, job.stdout + job.stderr
    with numpy.load(os.path.join(out, "result.npz")) as stored:
        return {key: stored[key] for key in stored.files}


def _assert_same(expected, found, tolerance):
    assert sorted(expected) == sorted(found)
    for key in expected:
        numpy.testing.assert_allclose(found[key], expected[key], rtol=0, atol=tolerance, err_msg=key)


# the static plan replaying the allreduce is checked in-process by tests/distribution/test_collectives.py
@pytest.mark.parametrize("engine", ["dynamic", pytest.param("static", marks=pytest.mark.slow)])
@pytest.mark.parametrize("floatx", ["float64", pytest.param("float32", marks=pytest.mark.slow)])
@pytest.mark.parametrize("processes", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_fit_equals_one_process_with_the_global_batch(tmp_path, engine, floatx, processes):
    # 52 samples in global batches of 16: 16 = 8+8 or 6+5+5, and a last batch of 4 = 2+2 or 2+1+1
    options = ("--engine", engine, "--floatx", floatx, "--samples", "52", "--batch-size", "16")
    expected = _results("fit", tmp_path / "single", *options)
    found = _results("fit", tmp_path / "job", *options, processes=processes)
    _assert_same(expected, found, TOLERANCE[floatx])


@pytest.mark.slow  # an MPI job of its own; the fast tier keeps the core cases
def test_shuffled_fit_shuffles_alike_on_every_process(tmp_path):
    options = ("--engine", "static", "--shuffle")
    _assert_same(
        _results("fit", tmp_path / "single", *options),
        _results("fit", tmp_path / "job", *options, processes=2),
        TOLERANCE["float64"],
    )


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_synchronized_batch_normalization_uses_the_global_batch(tmp_path, engine):
    expected = _results("batch_norm", tmp_path / "single", "--engine", engine)
    found = _results("batch_norm", tmp_path / "job", "--engine", engine, processes=2)
    _assert_same(expected, found, 1e-10)  # E[x^2] - E[x]^2 over processes rounds differently from numpy's mean


@pytest.mark.slow  # an MPI job of its own; the fast tier keeps the core cases
def test_py_dataset_batches_are_shared_out_by_index_and_loaded_once(tmp_path):
    expected = _results("dataset", tmp_path / "single", "--batch-size", "12")
    found = _results("dataset", tmp_path / "job", "--batch-size", "6", processes=2)
    _assert_same(expected, found, TOLERANCE["float64"])
    for rank in (0, 1):
        loaded = json.loads((tmp_path / "job" / f"rank{rank}" / "loaded.json").read_text())
        assert loaded == list(range(rank, 8, 2)) * 3  # 8 batches of 6, 3 epochs: only its own


@pytest.mark.slow  # an MPI job of its own; the fast tier keeps the core cases
def test_a_data_loader_of_uneven_batches_is_shared_out(tmp_path):
    # 50 samples in batches of 5: 10 batches for 3 processes, so 3 steps of 15 and the last batch skipped
    single = _results("loader", tmp_path / "single", "--batch-size", "15", "--samples", "45")
    job = _job("loader", tmp_path / "job", "--batch-size", "5", "--samples", "50", processes=3)
    assert job.returncode == 0, job.stdout + job.stderr
    assert "has 10 batches for 3 processes; the last 1 are skipped each epoch" in job.stderr
    with numpy.load(tmp_path / "job" / "result.npz") as stored:
        _assert_same(single, {key: stored[key] for key in stored.files}, TOLERANCE["float64"])


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_custom_loop_with_distributed_optimizer(tmp_path, engine):
    expected = _results("custom_loop", tmp_path / "single", "--engine", engine)
    found = _results("custom_loop", tmp_path / "job", "--engine", engine, processes=3)
    _assert_same(expected, found, TOLERANCE["float64"])


def test_checkpoints_and_logs_are_written_by_rank_zero_only(tmp_path):
    job = _job("checkpoints", tmp_path, processes=2)
    assert job.returncode == 0, job.stdout + job.stderr
    assert sorted(os.listdir(tmp_path / "rank0" / "checkpoints")) == [f"epoch{e}.weights.h5" for e in (1, 2, 3)]
    assert len((tmp_path / "rank0" / "log.csv").read_text().splitlines()) == 4
    assert os.listdir(tmp_path / "rank1") == []
    assert job.stdout.count("Epoch 1/3") == 1


@pytest.mark.slow  # an MPI job of its own; the fast tier keeps the core cases
def test_resume_after_a_killed_job_equals_an_uninterrupted_run(tmp_path):
    options = ("--engine", "static", "--epochs", "4")
    killed = _job("resume", tmp_path / "job", *options, "--fail-rank", "1", processes=2)
    assert killed.returncode != 0
    assert "fails on purpose at epoch 2" in killed.stderr
    assert '"epoch": 2' in (tmp_path / "job" / "backup" / "training_metadata.json").read_text()
    found = _results("resume", tmp_path / "job", *options, processes=2)
    expected = _results("fit", tmp_path / "single", *options)
    _assert_same({k: expected[k] for k in expected if k.startswith("weight")}, found, TOLERANCE["float64"])
    assert not os.path.exists(tmp_path / "job" / "backup")


def test_a_failing_process_ends_the_job_with_its_error(tmp_path):
    job = _job("fail", tmp_path, "--fail-rank", "1", processes=3)
    assert job.returncode != 0
    assert "RuntimeError: process 1 fails on purpose at epoch 1" in job.stderr
    assert "process 1 of 3 failed; ending the job" in job.stderr


def test_different_models_on_the_processes_are_an_error_at_start_up(tmp_path):
    job = _job("mismatch", tmp_path, processes=2)
    assert job.returncode != 0
    assert (
        "variable 'sequential/dense/kernel' of model 'sequential' has shape (6, 9) and dtype float64 on process "
        "1, but 'sequential/dense/kernel' has shape (6, 8)"
    ) in job.stderr


@pytest.mark.slow  # an MPI job of its own; the fast tier keeps the core cases
def test_the_distributed_example_learns_digits(tmp_path):
    example = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "distributed_mnist.py")
    job = subprocess.run(
        [MPIEXEC, "-n", "2", sys.executable, example, "--epochs", "8", "--checkpoint-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert job.returncode == 0, job.stdout + job.stderr
    assert job.stdout.count("test accuracy") == 1 and "trained by 2 process(es)" in job.stdout
    assert float(job.stdout.split("test accuracy ")[1].split(",")[0]) > 0.85
    assert os.listdir(tmp_path) == ["digits.weights.h5"]
