"""The device-independent suite (layers, models, trainers, losses, metrics, optimizers, callbacks, saving)
run with KERASISH_DEVICE=gpu on the strict cupy stand-in, in a subprocess: an implicit host conversion, a
hidden host sync or a numpy array mixed into a device op anywhere in kerasish fails the test that does it."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTEST = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.gpu_standin.plugin"]
STANDIN = {
    "KERASISH_GPU_MODULE": "tests.gpu_standin.strict_cupy",
    "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
}
MODULES = [
    "tests/trainers",
    "tests/models",
    "tests/layers/test_core.py",
    "tests/layers/test_convolutional.py",
    "tests/layers/test_normalization.py",
    "tests/layers/test_pooling.py",
    "tests/layers/test_rnn.py",
    "tests/layers/test_merging.py",
    "tests/layers/test_reshaping.py",
    "tests/losses",
    "tests/metrics",
    "tests/optimizers",
    "tests/callbacks",
    "tests/saving/test_saving_api.py",
    "tests/saving/test_keras_format.py",
    "tests/applications/test_architectures.py",
]
# Left out for time (CI keeps this run near a minute): training to an accuracy, and Keras on JAX for parity.
IGNORED = [
    "tests/trainers/test_digits_training.py",
    "tests/losses/test_keras_parity.py",
    "tests/metrics/test_keras_parity.py",
]
# Tests that compare, on purpose, a device array a function returns with numpy: they are device-dependent.
DESELECTED = [
    "tests/trainers/test_data_adapters.py::test_class_weight_becomes_sample_weight_for_sparse_and_one_hot_targets",
]


def run_on_standin(*arguments, timeout=900, default_device="gpu"):
    environment = {**os.environ, **STANDIN, "KERASISH_DEVICE": default_device}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_device_independent_suite_passes_on_the_strict_standin():
    deselect = [argument for test in DESELECTED for argument in ("--deselect", test)]
    deselect += [argument for module in IGNORED for argument in ("--ignore", module)]
    result = run_on_standin(*PYTEST, "-m", "not slow and not gpu", *deselect, *MODULES)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "strict cupy stand-in: device gpu" in result.stdout, result.stdout[-2000:]


@pytest.mark.slow
def test_gpu_tests_pass_on_the_strict_standin():
    """The `gpu` tests (every primitive Case forward and backward against numpy, fused plans, value checks)
    place their arrays on the GPU themselves: the default device stays the CPU, as on a GPU machine."""
    result = run_on_standin(*PYTEST, "-m", "gpu", "tests/backends", default_device="cpu")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert re.search(r"([5-9]\d\d|\d{4,}) passed", result.stdout), result.stdout[-2000:]
