"""Engine, device and numeric settings, each checked in a fresh interpreter: environment beats
$KERASISH_HOME/kerasish.json beats the defaults; bad values are errors that list the valid ones."""

import json
import os
import subprocess
import sys

import pytest

import kerasish

REPORT = (
    "import json, sys, kerasish; from kerasish import backend as K; "
    "print(json.dumps({'backend': K.backend(), 'device': K.device(), 'floatx': K.floatx(), "
    "'epsilon': K.epsilon(), 'image_data_format': K.image_data_format(), "
    "'modules': [m for m in ('cupy', 'kerasish.backends.static', 'kerasish.backends.static.engine') "
    "if m in sys.modules]}))"
)


def run_python(code, home, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KERASISH_")}
    environment.update(KERASISH_HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60, cwd=home.parent
    )  # away from the source tree: the installed kerasish


def settings(home, **env):
    result = run_python(REPORT, home, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def write_settings(home, values):
    home.mkdir(exist_ok=True)
    (home / "kerasish.json").write_text(json.dumps(values))


def test_defaults_and_the_settings_file_written_on_first_import(tmp_path):
    home = tmp_path / "home"
    report = settings(home)
    assert report["backend"] == "dynamic" and report["device"] == "cpu" and report["floatx"] == "float32"
    assert report["epsilon"] == 1e-7 and report["image_data_format"] == "channels_last"
    assert json.loads((home / "kerasish.json").read_text())["backend"] == "dynamic"


def test_the_settings_file_beats_the_defaults(tmp_path):
    write_settings(
        tmp_path, {"backend": "static", "floatx": "float64", "epsilon": 1e-5, "image_data_format": "channels_first"}
    )
    report = settings(tmp_path)
    assert (report["backend"], report["floatx"], report["epsilon"], report["image_data_format"]) == (
        "static",
        "float64",
        1e-5,
        "channels_first",
    )


def test_the_environment_beats_the_settings_file(tmp_path):
    write_settings(tmp_path, {"backend": "static", "device": "gpu"})
    report = settings(tmp_path, KERASISH_BACKEND="dynamic", KERASISH_DEVICE="cpu")
    assert (report["backend"], report["device"]) == ("dynamic", "cpu")


def test_importing_kerasish_loads_neither_cupy_nor_the_static_engine(tmp_path):
    assert settings(tmp_path, KERASISH_BACKEND="dynamic")["modules"] == []


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("KERASISH_BACKEND", "tensorflow", "Unknown KERASISH_BACKEND 'tensorflow'; valid values are: dynamic, static"),
        ("KERASISH_DEVICE", "tpu", "Unknown KERASISH_DEVICE 'tpu'; valid values are: cpu, gpu, auto"),
    ],
)
def test_an_unknown_value_lists_the_valid_ones(tmp_path, variable, value, message):
    result = run_python("import kerasish", tmp_path, **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_bad_settings_file_is_named_in_the_error(tmp_path):
    (tmp_path / "kerasish.json").write_text("{not json")
    result = run_python("import kerasish", tmp_path)
    assert result.returncode != 0
    assert f"Cannot read kerasish settings file {tmp_path / 'kerasish.json'}" in result.stderr


NO_CUPY = {"KERASISH_GPU_MODULE": "kerasish_test_missing_cupy"}  # as if cupy were not installed (device.GPU_MODULE)


def test_gpu_without_cupy_says_what_to_install(tmp_path):
    result = run_python("import kerasish", tmp_path, KERASISH_DEVICE="gpu", **NO_CUPY)
    assert result.returncode != 0
    assert "KERASISH_DEVICE=gpu needs cupy, which is not installed: pip install 'kerasish[gpu]'" in result.stderr


def test_auto_device_falls_back_to_the_cpu_without_cupy(tmp_path):
    assert settings(tmp_path, KERASISH_DEVICE="auto", **NO_CUPY)["device"] == "cpu"


def test_numeric_settings_can_be_changed_and_bad_values_are_refused():
    backend = kerasish.backend
    previous = backend.floatx(), backend.epsilon(), backend.image_data_format()
    try:
        backend.set_floatx("float64")
        backend.set_epsilon(1e-3)
        backend.set_image_data_format("channels_first")
        assert (backend.floatx(), backend.epsilon(), backend.image_data_format()) == ("float64", 1e-3, "channels_first")
        with pytest.raises(ValueError, match="Unknown floatx 'int8'; valid values are: float16, float32, float64"):
            backend.set_floatx("int8")
        with pytest.raises(ValueError, match="Unknown image_data_format 'nhwc'"):
            backend.set_image_data_format("nhwc")
    finally:
        backend.set_floatx(previous[0])
        backend.set_epsilon(previous[1])
        backend.set_image_data_format(previous[2])


def test_clear_session_restarts_default_names():
    from kerasish import backend, layers

    backend.clear_session()
    assert layers.Dense(2).name == "dense"
    assert layers.Dense(2).name == "dense_1"
    backend.clear_session()
    assert layers.Dense(2).name == "dense"
