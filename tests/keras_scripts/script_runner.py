"""Runs a script of this folder as a user would: on kerasish (in this process, with the engine chosen by
`keras.config.set_backend`) or on real Keras with its torch backend (in a subprocess where
`import kerasish as keras` gives Keras; the torch backend runs `train_step(self, data)` eagerly, as kerasish).

A script prints its results last, as one JSON line (numbers and nested lists of numbers)."""

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy

FOLDER = Path(__file__).resolve().parent
SCRIPTS = sorted(path.name for path in FOLDER.glob("*.py") if not path.name.startswith(("test_", "_", "script_")))

_AS_KERAS = (
    "import os, runpy, sys; os.environ.setdefault('KERAS_BACKEND', 'torch'); import keras; "
    "sys.modules['kerasish'] = keras; sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def _last_json_line(output, script):
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise AssertionError(f"{script} printed no JSON results; its output ended with:\n{output[-2000:]}")


def run_on_kerasish(script, engine, working_directory):
    import kerasish

    kerasish.config.set_backend(engine)
    kerasish.backend.clear_session()  # as in a fresh process: default names start again from `dense`
    Path(working_directory).mkdir(parents=True, exist_ok=True)
    output = io.StringIO()
    previous = os.getcwd()
    os.chdir(working_directory)
    try:
        with contextlib.redirect_stdout(output):
            runpy.run_path(str(FOLDER / script), run_name="__main__")
    finally:
        os.chdir(previous)
    return _last_json_line(output.getvalue(), script)


def run_on_keras(script, working_directory):
    Path(working_directory).mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [sys.executable, "-c", _AS_KERAS, str(FOLDER / script)],
        cwd=working_directory,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "KERAS_BACKEND": "torch", "PYTHONWARNINGS": "ignore"},
    )
    if completed.returncode != 0:
        raise AssertionError(f"{script} failed under real Keras:\n{completed.stderr[-4000:]}")
    return _last_json_line(completed.stdout, script)


def assert_close(got, expected, rtol, atol, where="results"):
    if isinstance(expected, dict):
        assert sorted(got) == sorted(expected), f"{where}: keys {sorted(got)} != {sorted(expected)}"
        for key in expected:
            assert_close(got[key], expected[key], rtol, atol, f"{where}[{key!r}]")
    elif isinstance(expected, (str, bool)) or (
        isinstance(expected, list) and any(isinstance(e, str) for e in expected)
    ):
        assert got == expected, f"{where}: {got!r} != {expected!r}"
    else:
        got, expected = numpy.asarray(got, float), numpy.asarray(expected, float)
        numpy.testing.assert_allclose(got, expected, rtol, atol, err_msg=where)
