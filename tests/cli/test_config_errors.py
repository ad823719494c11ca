"""Bad configurations: each a clear error naming the file and the key, exit status 2, nothing written."""

import json
import os

import numpy
import pytest

from kerasish.cli.config import load
from kerasish.cli.main import main

GOOD = {
    "model": {"layers": [{"class_name": "Flatten"}, {"class_name": "Dense", "units": 10, "activation": "softmax"}]},
    "data": {"dataset": "digits", "scale": 0.0625, "max_samples": 64},
    "solver": {"max_iter": 2, "batch_size": 32, "snapshot_prefix": "run"},
}


def write(tmp_path, values, name="run.json"):
    path = tmp_path / name
    path.write_text(json.dumps(values))
    return str(path)


def changed(section, **values):
    config = json.loads(json.dumps(GOOD))
    config[section].update(values)
    return config


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def fails(tmp_path, capsys, config, *options, command="train"):
    """Run the command; it must exit 2, print an error naming the file, and leave no run behind."""
    path = write(tmp_path, config) if isinstance(config, dict) else config
    assert main([command, path, *options]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"kerasish {command}: error: ") and "Traceback" not in error
    assert not os.path.exists(tmp_path / "run")
    return error


def test_a_typo_in_the_file_suggests_the_key(tmp_path, capsys):
    error = fails(tmp_path, capsys, changed("solver", base_rl=0.1))
    assert "run.json: unknown key 'solver.base_rl' (did you mean 'solver.base_lr'?)" in error
    error = fails(tmp_path, capsys, {**GOOD, "solvr": {}})
    assert "run.json: unknown section [solvr] (did you mean 'solver'?)" in error


def test_a_typo_in_set_suggests_the_key(tmp_path, capsys):
    error = fails(tmp_path, capsys, GOOD, "--set", "solver.momentun=0.9")
    assert "unknown key 'solver.momentun' (did you mean 'solver.momentum'?)" in error and "run.json" in error
    assert "expected section.key=value" in fails(tmp_path, capsys, GOOD, "--set", "solver.momentum")


def test_a_wrong_type_names_key_value_and_file(tmp_path, capsys):
    error = fails(tmp_path, capsys, changed("solver", base_lr="fast"))
    assert "run.json: solver.base_lr must be a float, received 'fast' (a str)" in error
    error = fails(tmp_path, capsys, GOOD, "--set", "solver.max_iter=2.5")
    assert "solver.max_iter must be an int, received 2.5 (a float)" in error
    error = fails(tmp_path, capsys, GOOD, "--set", "solver.max_iter=many")
    assert "--set solver.max_iter (for " in error and "run.json): 'many' is not an int" in error
    error = fails(tmp_path, capsys, changed("solver", resume="yes"))
    assert "solver.resume must be a bool, received 'yes'" in error
    # null only where the key has no default: it reached `None < 1` as a raw TypeError
    error = fails(tmp_path, capsys, changed("solver", batch_size=None))
    assert "run.json: solver.batch_size must be an int, received None (a NoneType)" in error


def test_set_values_are_typed_by_the_schema(tmp_path):
    path = write(tmp_path, GOOD)
    config = load(
        path,
        [
            "solver.base_lr=1",
            "solver.resume=false",
            "data.reshape=[8, 8, 1]",
            "solver.optimizer=adam",
            "model.weights=none",
        ],
    )
    assert config.solver["base_lr"] == 1.0 and isinstance(config.solver["base_lr"], float)
    assert config.solver["resume"] is False and config.data["reshape"] == [8, 8, 1]
    assert config.solver["optimizer"] == "adam" and config.model["weights"] is None


def test_missing_data_file_and_missing_array(tmp_path, capsys):
    config = json.loads(json.dumps(GOOD))
    config["data"] = {"train": "absent.npz"}
    assert "run.json: data.train: no such file: absent.npz" in fails(tmp_path, capsys, config)
    numpy.savez(tmp_path / "data.npz", images=numpy.zeros((4, 2)), y=numpy.zeros(4))
    config["data"] = {"train": "data.npz"}
    assert "run.json: data.x: data.npz has no array 'x'; its arrays are ['images', 'y']" in fails(
        tmp_path, capsys, config
    )
    config["data"] = {"train": "."}
    assert "image directories are not supported yet" in fails(tmp_path, capsys, config)


def test_unknown_layer_optimizer_loss_and_dataset(tmp_path, capsys):
    config = changed("model", layers=[{"class_name": "Flatten"}, {"class_name": "Dense2", "units": 3}])
    error = fails(tmp_path, capsys, config)
    assert "run.json: model.layers[1]: cannot build layer 'Dense2' (did you mean 'Dense'?)" in error
    config = changed("model", layers=[{"class_name": "Dense", "unitz": 3}])
    assert "run.json: model.layers[0]: cannot build layer 'Dense'" in fails(tmp_path, capsys, config)
    error = fails(tmp_path, capsys, changed("solver", optimizer="sgdd"))
    assert "run.json: solver.optimizer: Could not interpret optimizer identifier: 'sgdd'" in error
    assert "run.json: solver.momentum: the adam optimizer has no momentum" in fails(
        tmp_path, capsys, changed("solver", optimizer="adam", momentum=0.9)
    )
    assert "run.json: solver.options.betta_1: Adam has no argument 'betta_1'" in fails(
        tmp_path, capsys, changed("solver", optimizer="adam", options={"betta_1": 0.8})
    )
    assert "run.json: model.loss:" in fails(tmp_path, capsys, changed("model", loss="hinged"))
    error = fails(tmp_path, capsys, changed("data", dataset="digitz"))
    assert "run.json: data.dataset: unknown dataset 'digitz'" in error


def test_solver_lengths_are_checked(tmp_path, capsys):
    assert "solver.max_iter: give solver.max_iter (iterations) or solver.epochs, exactly one" in fails(
        tmp_path, capsys, changed("solver", epochs=1)
    )
    assert "solver.snapshot: must be a positive number of iterations, received 0" in fails(
        tmp_path, capsys, changed("solver", snapshot=0)
    )


def test_files_that_are_not_configurations(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text("[solver\nbase_lr = 1")
    assert "broken.toml: not valid TOML" in fails(tmp_path, capsys, str(broken))
    assert "a configuration is a .toml, .json or .yaml file, not '.txt'" in fails(tmp_path, capsys, "run.txt")
    assert "cannot read the configuration absent.toml" in fails(tmp_path, capsys, "absent.toml")
    listed = write(tmp_path, [1, 2])
    assert "the configuration must be a table of sections, received list" in fails(tmp_path, capsys, listed)


def test_yaml_needs_pyyaml(tmp_path, capsys):
    path = tmp_path / "run.yaml"
    path.write_text("solver:\n  max_iter: 2\n")
    try:
        import yaml  # noqa: F401
    except ImportError:
        assert "run.yaml: reading YAML needs PyYAML: pip install pyyaml" in fails(tmp_path, capsys, str(path))
    else:
        assert load(str(path)).solver["max_iter"] == 2


def test_validation_needs_data_to_validate_on(tmp_path, capsys):
    numpy.savez(tmp_path / "data.npz", x=numpy.zeros((8, 2), "float32"), y=numpy.zeros(8, "int64"))
    config = changed("solver", test_interval=1)
    config["data"] = {"train": "data.npz"}
    assert "solver.test_interval: nothing to validate on" in fails(tmp_path, capsys, config)
