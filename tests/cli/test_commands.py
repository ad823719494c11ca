"""`kerasish train|evaluate|predict|export|summary`: each subcommand on shortened runs of the example
configurations, TOML and JSON alike, on both engines; data from .npz and HDF5 files; the run directory."""

import json
import os
import pathlib
import subprocess
import sys

import h5py
import numpy
import pytest

import kerasish
from kerasish.cli import commands
from kerasish.cli.config import load, read_file
from kerasish.cli.main import main

CONFIGS = pathlib.Path(__file__).resolve().parents[2] / "examples" / "configs"
SHORT = [
    "--set",
    "solver.epochs=null",
    "--set",
    "solver.max_iter=4",
    "--set",
    "data.max_samples=256",
    "--set",
    "solver.test_interval=2",
    "--set",
    "solver.snapshot=2",
    "--set",
    "solver.snapshot_prefix=run",
]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KERASISH_HOME", str(tmp_path / "home"))


def weights(path):
    return kerasish.models.load_model(str(path), compile=False).get_weights()


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_train_writes_the_run_and_evaluate_predict_read_it(tmp_path, capsys, engine):
    config = str(CONFIGS / "digits_cnn.toml")
    assert main(["train", config, *SHORT, "--set", f"solver.engine={engine}"]) == 0
    out = capsys.readouterr().out
    assert "4 iterations done" in out and "test: " in out
    run = tmp_path / "run"
    assert sorted(os.listdir(run)) == ["checkpoints", "model.keras", "resolved_config.json"]
    resolved = json.loads((run / "resolved_config.json").read_text())
    assert resolved["solver"]["max_iter"] == 4 and resolved["solver"]["engine"] == engine
    assert resolved["solver"]["base_lr"] == 0.001 and resolved["data"]["reshape"] == [8, 8, 1]
    model = kerasish.models.load_model(str(run / "model.keras"), compile=False)
    assert model.get_layer(index=0).__class__.__name__ == "Conv2D"

    assert main(["evaluate", config, *SHORT, "--set", f"solver.engine={engine}"]) == 0
    accuracy = float(capsys.readouterr().out.split("accuracy = ")[1].split()[0].rstrip(","))
    (_, _), (x_test, y_test) = kerasish.datasets.digits.load_data()
    probabilities = model.predict(x_test[..., None].astype("float32") / 16, verbose=0)
    assert accuracy == pytest.approx(numpy.mean(probabilities.argmax(-1) == y_test), abs=1e-4)

    numpy.save(tmp_path / "some.npy", x_test[:5])
    assert main(["predict", config, *SHORT, "--input", "some.npy", "--output", "out.npy"]) == 0
    numpy.testing.assert_allclose(numpy.load(tmp_path / "out.npy"), probabilities[:5], rtol=1e-5, atol=1e-6)
    assert main(["predict", config, *SHORT]) == 0
    assert numpy.load(run / "predictions.npy").shape == (360, 10)


def test_the_same_configuration_in_toml_and_json_trains_the_same_weights(tmp_path):
    values = read_file(str(CONFIGS / "digits_mlp.toml"))
    (tmp_path / "digits_mlp.json").write_text(json.dumps(values))
    assert main(["train", str(CONFIGS / "digits_mlp.toml"), *SHORT]) == 0
    assert main(["train", "digits_mlp.json", *SHORT, "--set", "solver.snapshot_prefix=run_json"]) == 0
    for from_toml, from_json in zip(
        weights(tmp_path / "run" / "model.keras"), weights(tmp_path / "run_json" / "model.keras"), strict=True
    ):
        numpy.testing.assert_array_equal(from_toml, from_json)


def test_the_resolved_config_reproduces_the_run(tmp_path):
    assert main(["train", str(CONFIGS / "digits_mlp.toml"), *SHORT]) == 0
    resolved = json.loads((tmp_path / "run" / "resolved_config.json").read_text())
    resolved["solver"]["snapshot_prefix"] = "again"
    (tmp_path / "again.json").write_text(json.dumps(resolved))
    assert main(["train", "again.json"]) == 0
    for first, second in zip(weights(tmp_path / "run" / "model.keras"), weights(tmp_path / "again" / "model.keras")):
        numpy.testing.assert_array_equal(first, second)


def test_a_finished_run_is_not_trained_again_and_a_run_directory_holds_one_run(tmp_path, capsys):
    config = str(CONFIGS / "digits_mlp.toml")
    assert main(["train", config, *SHORT]) == 0
    before = weights(tmp_path / "run" / "model.keras")
    assert main(["train", config, *SHORT]) == 0
    for first, second in zip(before, weights(tmp_path / "run" / "model.keras")):
        numpy.testing.assert_array_equal(first, second)
    capsys.readouterr()
    assert main(["train", config, *SHORT, "--set", "solver.resume=false"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert main(["train", config, *SHORT, "--set", "solver.base_lr=0.5"]) == 2
    assert "holds a run of a different configuration" in capsys.readouterr().err


def test_npz_and_hdf5_training_files(tmp_path, capsys):
    (x_train, y_train), (x_test, y_test) = kerasish.datasets.digits.load_data()
    numpy.savez(tmp_path / "train.npz", x=x_train[:256], y=y_train[:256])
    with h5py.File(tmp_path / "train.h5", "w") as file:
        file["images"], file["labels"] = x_train[:256].astype("float32") / 16, y_train[:256]
    with h5py.File(tmp_path / "test.h5", "w") as file:
        file["images"], file["labels"] = x_test.astype("float32") / 16, y_test
    config = str(CONFIGS / "digits_mlp.toml")
    common = [
        "--set",
        "solver.epochs=null",
        "--set",
        "solver.max_iter=8",
        "--set",
        "solver.test_interval=4",
        "--set",
        "solver.snapshot=4",
    ]
    assert (
        main(
            [
                "train",
                config,
                *common,
                "--set",
                "data.dataset=null",
                "--set",
                "data.train=train.npz",
                "--set",
                "solver.snapshot_prefix=npz",
            ]
        )
        == 0
    )
    hdf5 = [
        "--set",
        "data.dataset=null",
        "--set",
        "data.train=train.h5",
        "--set",
        "data.test=test.h5",
        "--set",
        "data.x=images",
        "--set",
        "data.y=labels",
        "--set",
        "data.scale=1",
        "--set",
        "data.validation_split=0",
        "--set",
        "solver.snapshot_prefix=h5",
    ]
    assert main(["train", config, *common, *hdf5]) == 0
    assert "8 iterations done" in capsys.readouterr().out
    assert os.path.exists(tmp_path / "h5" / "model.keras") and os.path.exists(tmp_path / "npz" / "model.keras")
    assert main(["train", config, *common, *hdf5, "--set", "data.x=pixels", "--set", "solver.snapshot_prefix=bad"]) == 2
    assert "data.train: HDF5Dataset: train.h5 has no array 'pixels'" in capsys.readouterr().err


def test_summary_of_each_example_config_builds_offline(capsys):
    assert main(["summary", str(CONFIGS / "digits_mlp.toml")]) == 0
    assert "Dropout" in capsys.readouterr().out
    # the fine-tuning config with random weights instead of the download
    assert main(["summary", str(CONFIGS / "resnet18_finetune.toml"), "--set", "model.weights=none"]) == 0
    out = capsys.readouterr().out
    assert "resnet18" in out.lower() and "Non-trainable params: 11,1" in out


@pytest.mark.slow
def test_resnet18_finetune_config_trains_its_head_only(tmp_path):
    config = load(
        str(CONFIGS / "resnet18_finetune.toml"),
        [
            "model.weights=none",
            "solver.epochs=null",
            "solver.max_iter=1",
            "data.max_samples=8",
            "solver.batch_size=4",
            "solver.snapshot=1",
            "solver.snapshot_prefix=run",
        ],
    )
    model = commands.train(config)
    # the Dense head's kernel and bias; the frozen base's 11 million weights are not trained
    assert [tuple(variable.shape) for variable in model.trainable_variables] == [(512, 10), (10,)]


def test_export_calls_the_onnx_exporter(tmp_path):
    pytest.importorskip("onnx", reason="the export command needs the `onnx` package (the test extra)")
    config = str(CONFIGS / "digits_mlp.toml")
    assert main(["train", config, *SHORT]) == 0
    assert main(["export", config, *SHORT, "--output", "model.onnx"]) == 0
    import onnx

    onnx.checker.check_model(onnx.load(str(tmp_path / "model.onnx")))


def test_python_dash_m_kerasish_runs_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kerasish", "summary", str(CONFIGS / "digits_cnn.toml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Conv2D" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "kerasish", "train", "absent.toml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "kerasish train: error: cannot read the configuration absent.toml" in result.stderr


@pytest.mark.parametrize("suffix", [".keras", ".json"])
def test_a_model_file_as_the_model(tmp_path, capsys, suffix):
    model = kerasish.Sequential(
        [
            kerasish.Input(shape=(8, 8)),
            kerasish.layers.Flatten(),
            kerasish.layers.Dense(7, name="from_file"),
            kerasish.layers.Dense(10, activation="softmax"),
        ]
    )
    if suffix == ".keras":
        model.save(str(tmp_path / "model.keras"))
    else:
        (tmp_path / "model.json").write_text(model.to_json())
    config = str(CONFIGS / "digits_mlp.toml")
    source = ["--set", "model.layers=null", "--set", f"model.file=model{suffix}"]
    assert main(["summary", config, *source]) == 0
    assert "from_file" in capsys.readouterr().out
    assert main(["train", config, *SHORT, *source]) == 0
    trained = kerasish.models.load_model(str(tmp_path / "run" / "model.keras"), compile=False)
    assert trained.get_layer("from_file").units == 7
    assert main(["summary", config, "--set", "model.file=model.json"]) == 2
    assert "give exactly one of model.layers, model.file, model.application" in capsys.readouterr().err
