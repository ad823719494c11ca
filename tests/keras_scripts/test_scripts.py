"""Every script here runs unchanged (`import kerasish as keras`) on both engines with the same results, and,
where Keras is installed, with the results real Keras gives."""

import importlib.util

import pytest

from kerasish.backends import config
from tests.keras_scripts.script_runner import SCRIPTS, assert_close, run_on_keras, run_on_kerasish

# Each script's tolerance against real Keras: float32 arithmetic in a different order (and for training,
# the same few optimizer steps) agrees to about 1e-5 relative; a script that trains longer says so here.
KERAS_TOLERANCE = {
    "default": (2e-4, 2e-5),
    # float16 activations: one rounding of a float16 (about 1e-3 relative) moves the few training steps
    "mixed_precision.py": (2e-3, 2e-3),
}
# Scripts real Keras cannot run here, and why (the comparison is skipped with that reason).
KERAS_CANNOT_RUN = {
    "tensorboard_logs.py": "Keras's TensorBoard callback needs TensorFlow",
    "image_dataset_from_directory.py": "Keras's image_dataset_from_directory needs TensorFlow (or grain) and Pillow",
}


@pytest.fixture(autouse=True)
def default_engine_restored(monkeypatch):
    monkeypatch.setitem(config.SETTINGS, "backend", config.SETTINGS["backend"])


def test_there_are_at_least_twelve_scripts():
    assert len(SCRIPTS) >= 12, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_both_engines_give_the_same_results(script, tmp_path):
    dynamic = run_on_kerasish(script, "dynamic", tmp_path / "dynamic")
    static = run_on_kerasish(script, "static", tmp_path / "static")
    assert_close(static, dynamic, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs real Keras (pip install keras jax)")
@pytest.mark.parametrize("script", SCRIPTS)
def test_real_keras_gives_the_same_results(script, tmp_path):
    if script in KERAS_CANNOT_RUN and not all(importlib.util.find_spec(name) for name in ("tensorflow", "PIL")):
        pytest.skip(KERAS_CANNOT_RUN[script])
    expected = run_on_keras(script, tmp_path / "keras")
    got = run_on_kerasish(script, "dynamic", tmp_path / "kerasish")
    rtol, atol = KERAS_TOLERANCE.get(script, KERAS_TOLERANCE["default"])
    assert_close(got, expected, rtol=rtol, atol=atol)
