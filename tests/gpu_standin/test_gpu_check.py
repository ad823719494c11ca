"""bench/gpu_check.py, tried on the strict stand-in (its --standin dry run): it runs the gpu tests and the
benchmark, says that torch CUDA parts skip where there is no CUDA, and writes its JSON and markdown table."""

import json
import os
import subprocess
import sys

import pytest

from tests.gpu_standin.test_suite_on_standin import ROOT


@pytest.mark.slow
def test_the_gpu_check_runs_on_the_standin_and_writes_its_results(tmp_path):
    command = [sys.executable, "bench/gpu_check.py", "--standin", "--quick", "--rounds", "1", "--workloads", "mlp"]
    done = subprocess.run([*command, "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    with open(os.path.join(tmp_path, "gpu_check.json")) as handle:
        report = json.load(handle)
    assert report["tests"]["passed"] > 500 and "failed" not in report["tests"]
    dynamic, static = (report["table"]["mlp"][f"kerasish-{engine}"] for engine in ("dynamic", "static"))
    assert dynamic["steps_per_second"] > 0 and static["steps_per_second"] > 0
    torch = report["table"]["mlp"]["torch"]
    assert "steps_per_second" in torch or "CUDA" in torch["note"] or "not installed" in torch["note"]
    assert set(report["timings"]) >= {"tests", "benchmarks", "total"}
    with open(os.path.join(tmp_path, "gpu_check.md")) as handle:
        assert "| mlp | 128 |" in handle.read()
