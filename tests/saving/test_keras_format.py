"""The `.keras` zip and `.weights.h5`: layout as Keras 3 writes it, round trips, resuming training,
safe mode, atomic writes and corrupt files."""

import io
import json
import os
import warnings
import zipfile

import h5py
import numpy
import pytest

from kerasish.backends import config
from kerasish.models import load_model
from tests.saving.models_for_tests import CUSTOM_OBJECTS, assert_same, data, perturb, toy_model, trained_model, values


def weights_file(path):
    with zipfile.ZipFile(path) as archive:
        return h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")


def test_keras_file_holds_config_metadata_and_object_path_weights(tmp_path):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config_json = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
    assert {"module", "class_name", "config", "registered_name", "build_config", "compile_config"} <= set(config_json)
    assert (config_json["module"], config_json["class_name"]) == ("keras", "Sequential")
    assert config_json["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert (config_json["compile_config"]["loss"], config_json["compile_config"]["metrics"]) == ("mse", ["mae"])
    assert set(metadata) == {"keras_version", "date_saved"}
    with weights_file(tmp_path / "m.keras") as file:
        numpy.testing.assert_array_equal(file["layers/scale/vars/0"], model.layers[0].kernel.numpy())
        numpy.testing.assert_array_equal(file["layers/moments/vars/1"], model.layers[1].count.numpy())
        assert file["layers/scale/vars"].attrs["name"] == "scale"
        optimizer = file["optimizer/vars"]
        assert len(optimizer) == len(model.optimizer.variables)
        assert int(optimizer["0"][()]) == int(model.optimizer.iterations.numpy()) == 3
        assert "_layers" not in file


def test_load_model_restores_config_weights_and_optimizer_state(tmp_path):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras", custom_objects=CUSTOM_OBJECTS)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Scale", "Moments", "Total"]
    assert_same(values(loaded.weights), values(model.weights))
    assert_same(values(loaded.optimizer.variables), values(model.optimizer.variables))
    assert loaded.get_compile_config()["metrics"] == ["mae"]
    x, _ = data()
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_load_model_without_compile(tmp_path):
    trained_model().save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras", custom_objects=CUSTOM_OBJECTS, compile=False)
    assert not loaded.compiled


def test_resumed_training_equals_uninterrupted_training(tmp_path, engine, monkeypatch):
    monkeypatch.setitem(config.SETTINGS, "backend", engine)
    x, y = data()
    straight = toy_model(backend=engine)
    straight.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    first_half = toy_model(backend=engine)
    first_half.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    first_half.save(tmp_path / "half.keras")
    resumed = load_model(tmp_path / "half.keras", custom_objects=CUSTOM_OBJECTS)
    assert resumed.compile_engine.name == engine
    resumed.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert_same(values(resumed.weights), values(straight.weights))
    assert_same(values(resumed.optimizer.variables), values(straight.optimizer.variables))


def test_save_weights_and_load_weights_round_trip(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "m.weights.h5")
    expected = values(model.weights)
    perturb(model)
    model.load_weights(tmp_path / "m.weights.h5")
    assert_same(values(model.weights), expected)


def test_load_weights_from_keras_file(tmp_path):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    other = toy_model()
    with pytest.warns(UserWarning, match=r"Skipping loading weights for optimizer \(adam\): count mismatch"):
        other.load_weights(tmp_path / "m.keras")
    assert_same(values(other.weights), values(model.weights))


def test_save_weights_requires_the_weights_h5_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"The filename must end in `\.weights\.h5`. Received: filepath=.*m\.h5"):
        trained_model().save_weights(tmp_path / "m.h5")


def test_save_model_refuses_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"Invalid filepath extension for saving.*m\.pkl"):
        trained_model().save(tmp_path / "m.pkl")


def test_unknown_class_is_refused(tmp_path):
    trained_model().save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="Unknown layer class 'Scale'"):
        load_model(tmp_path / "m.keras")


def _rewrite_config(path, change):
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    config_json = json.loads(parts["config.json"])
    change(config_json)
    parts["config.json"] = json.dumps(config_json)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def test_safe_mode_refuses_lambda_layers(tmp_path):
    trained_model().save(tmp_path / "m.keras")
    lambda_layer = {
        "module": "keras.layers",
        "class_name": "Lambda",
        "registered_name": None,
        "config": {"name": "evil", "function": {"class_name": "__lambda__", "config": {"code": "b3Muc3lzdGVt"}}},
    }
    _rewrite_config(tmp_path / "m.keras", lambda c: c["config"]["layers"].append(lambda_layer))
    with pytest.raises(ValueError, match=r"Lambda layers or Python lambdas \['evil'\].*safe_mode=False"):
        load_model(tmp_path / "m.keras", custom_objects=CUSTOM_OBJECTS)


def halve(x):
    return x * 0.5


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("function, loads_safely", [(lambda x: x * 0.5, False), (halve, False), ("custom", True)])
def test_lambda_layers_load_with_safe_mode_off_or_from_custom_objects(tmp_path, suffix, function, loads_safely):
    import kerasish

    inputs = kerasish.Input((3,))
    model = kerasish.Model(inputs, kerasish.layers.Lambda(halve if function == "custom" else function)(inputs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / ("m" + suffix))
    x = numpy.arange(6, dtype="float32").reshape(2, 3)
    if not loads_safely:
        with pytest.raises(ValueError, match="safe_mode=False"):
            load_model(tmp_path / ("m" + suffix))
    loaded = load_model(tmp_path / ("m" + suffix), custom_objects={"halve": halve}, safe_mode=loads_safely)
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), x * 0.5)


@pytest.mark.parametrize("filename", ["m.keras", "m.weights.h5", "m.h5"])
def test_failed_write_leaves_the_previous_file(tmp_path, filename, monkeypatch):
    model = trained_model()
    save = model.save_weights if filename.endswith(".weights.h5") else model.save
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save(tmp_path / filename)
    before = (tmp_path / filename).read_bytes()

    create_dataset, written = h5py.Group.create_dataset, []

    def fail_on_third(group, *args, **kwargs):  # the file is half written when this fails
        written.append(args)
        if len(written) == 3:
            raise RuntimeError("disk on fire")
        return create_dataset(group, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", fail_on_third)
    with pytest.raises(RuntimeError, match="disk on fire"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save(tmp_path / filename)
    assert (tmp_path / filename).read_bytes() == before
    assert os.listdir(tmp_path) == [filename]


def test_unserializable_config_is_refused_before_writing(tmp_path):
    model = trained_model()
    model.layers[0].get_config = lambda: {"name": "scale", "bad": object()}
    with pytest.raises(TypeError, match="Cannot write object"):
        model.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_keras_file_gives_clear_error_and_model_untouched(tmp_path, damage):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    content = (tmp_path / "m.keras").read_bytes()
    broken = content[: len(content) // 2] if damage == "truncate" else content[:100] + b"\0" * 5000 + content[5100:]
    (tmp_path / "m.keras").write_bytes(broken)
    perturb(model)
    before = values(model.weights)
    with pytest.raises(ValueError, match=r"m\.keras.*(not a readable|corrupt)"):
        model.load_weights(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"m\.keras.*(not a readable|corrupt)"):
        load_model(tmp_path / "m.keras", custom_objects=CUSTOM_OBJECTS)
    assert_same(values(model.weights), before)


def test_truncated_weights_file_gives_clear_error(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "m.weights.h5")
    content = (tmp_path / "m.weights.h5").read_bytes()
    (tmp_path / "m.weights.h5").write_bytes(content[: len(content) // 3])
    before = values(model.weights)
    with pytest.raises(ValueError, match=r"m\.weights\.h5: not a readable Keras weights file"):
        model.load_weights(tmp_path / "m.weights.h5")
    assert_same(values(model.weights), before)


def test_unbuilt_model_cannot_save_weights(tmp_path):
    from kerasish import models
    from tests.models.toy_layers import Scale

    with pytest.raises(ValueError, match="has not yet been built"):
        models.Sequential([Scale()]).save_weights(tmp_path / "m.weights.h5")
