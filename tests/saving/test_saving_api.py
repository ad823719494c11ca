"""The public entry points: argument checks, overwrite prompts, mismatch reports and the dry-run table."""

import io
import json
import warnings

import h5py
import numpy
import pytest

from kerasish import layers, models
from kerasish.models import load_model
from tests.models.toy_layers import Moments, Scale, Total
from tests.saving.models_for_tests import CUSTOM_OBJECTS, assert_same, perturb, toy_model, trained_model, values


def bigger_model():
    return models.Sequential([layers.Input((4,)), Scale(), Moments(), Scale(), Total()])


def test_overwrite_false_asks_and_keeps_the_file_on_no(tmp_path, monkeypatch):
    model = trained_model()
    model.save_weights(tmp_path / "m.weights.h5")
    before = (tmp_path / "m.weights.h5").read_bytes()
    perturb(model)
    answers = iter(["maybe", "n"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    model.save_weights(tmp_path / "m.weights.h5", overwrite=False)
    assert (tmp_path / "m.weights.h5").read_bytes() == before
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    model.save_weights(tmp_path / "m.weights.h5", overwrite=False)
    assert (tmp_path / "m.weights.h5").read_bytes() != before


def test_missing_unexpected_and_misshaped_entries_are_listed_together(tmp_path):
    bigger = bigger_model()
    bigger.save_weights(tmp_path / "big.weights.h5")
    model = toy_model(compiled=False)
    with h5py.File(tmp_path / "big.weights.h5", "a") as file:
        del file["layers/moments/vars/0"]
        file["layers/moments/vars"].create_dataset("0", data=numpy.zeros(9, "float32"))
        del file["layers/scale"]
    before = values(model.weights)
    with pytest.raises(ValueError) as error:
        model.load_weights(tmp_path / "big.weights.h5")
    message = str(error.value)
    assert "3 mismatched entries (nothing was assigned)" in message
    assert "layers/scale (scale): missing (file -, model (4,), (4,))" in message
    assert "layers/moments (moments): shape mismatch (file (9,), (), model (4,), ())" in message
    assert "layers/scale_1: unexpected (file (4,), (4,), model -)" in message
    assert_same(values(model.weights), before)


def test_skip_mismatch_loads_what_fits(tmp_path):
    source = toy_model(compiled=False)
    perturb(source)
    source.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5", "a") as file:
        del file["layers/moments/vars/0"]
        file["layers/moments/vars"].create_dataset("0", data=numpy.zeros(9, "float32"))
    model = toy_model(compiled=False)
    moments_before = values(model.layers[1].weights)
    with pytest.warns(UserWarning, match=r"Skipping loading weights for layers/moments \(moments\): shape mismatch"):
        model.load_weights(tmp_path / "m.weights.h5", skip_mismatch=True)
    assert_same(values(model.layers[0].weights), values(source.layers[0].weights))
    assert_same(values(model.layers[1].weights), moments_before)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_dry_run_table_is_rich_on_a_terminal(tmp_path, monkeypatch):
    model = trained_model()
    model.save_weights(tmp_path / "m.weights.h5")
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    perturb(model)
    before = values(model.weights)
    model.load_weights(tmp_path / "m.weights.h5", dry_run=True)
    output = terminal.getvalue()
    assert output.count("┏") == 1 and all(word in output for word in ("Layer", "Status", "moments", "ok"))
    assert_same(values(model.weights), before)


@pytest.mark.parametrize(
    "filename, keywords, message",
    [
        ("m.pth", {}, r"File format not supported: filepath=.*m\.pth"),
        ("m.keras", {"by_name": True}, r"by_name=True is only for legacy \.h5 files"),
        ("m.h5", {"shuffle": True}, r"Invalid keyword arguments: \{'shuffle': True\}"),
        ("absent.h5", {}, r"No such weights file: .*absent\.h5"),
    ],
)
def test_load_weights_argument_errors(tmp_path, filename, keywords, message):
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        trained_model().load_weights(tmp_path / filename, **keywords)


def test_load_weights_needs_a_built_model(tmp_path):
    trained_model().save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="loading weights into a model that has not yet been built"):
        models.Sequential([Scale()]).load_weights(tmp_path / "m.weights.h5")


def test_load_model_refuses_other_formats(tmp_path):
    with pytest.raises(ValueError, match=r"File format not supported: filepath=.*m\.pb"):
        load_model(tmp_path / "m.pb")
    with pytest.raises(ValueError, match=r"File not found: filepath=.*m\.keras"):
        load_model(tmp_path / "m.keras")


def test_safe_mode_refuses_lambda_in_legacy_h5(tmp_path):
    model = trained_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as file:
        config = json.loads(file.attrs["model_config"])
        config["config"]["layers"].append({"class_name": "Lambda", "config": {"name": "run_me"}})
        file.attrs["model_config"] = json.dumps(config).encode()
    with pytest.raises(ValueError, match=r"Lambda layers or Python lambdas \['run_me'\]"):
        load_model(tmp_path / "m.h5", custom_objects=CUSTOM_OBJECTS)


def test_custom_objects_also_resolve_nested_layers(tmp_path):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras", custom_objects={"Scale": Scale, "Moments": Moments, "Total": Total})
    assert_same(values(loaded.weights), values(model.weights))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_functional_model_round_trip(tmp_path, suffix):
    inputs = layers.Input((4,), name="features")
    merged = layers.Concatenate()([layers.Dense(3, name="left")(inputs), layers.Dense(3, name="right")(inputs)])
    model = models.Model(inputs, layers.Dense(2, name="out")(merged))
    model.compile(optimizer="adam", loss="mse")
    x = numpy.random.default_rng(0).standard_normal((6, 4)).astype("float32")
    model.fit(x, x[:, :2], epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / f"f{suffix}")
    loaded = load_model(tmp_path / f"f{suffix}")
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert_same(values(loaded.optimizer.variables), values(model.optimizer.variables))


def test_registered_classes_load_without_custom_objects(tmp_path, monkeypatch):
    from kerasish import saving
    from kerasish.utils import object_registration

    monkeypatch.setattr(object_registration, "GLOBAL_CUSTOM_OBJECTS", {})
    monkeypatch.setattr(object_registration, "GLOBAL_CUSTOM_NAMES", {})
    for cls in (Scale, Moments, Total):
        saving.register_keras_serializable(package="toys")(cls)
    assert saving.get_registered_name(Scale) == "toys>Scale"
    assert saving.get_registered_object("toys>Total") is Total
    model = trained_model()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert_same(values(loaded.weights), values(model.weights))


def test_register_refuses_classes_without_get_config():
    from kerasish import saving

    class Plain:
        pass

    with pytest.raises(ValueError, match="does not have a get_config"):
        saving.register_keras_serializable()(Plain)


@pytest.mark.parametrize("filename", ["m.keras", "m.weights.h5", "m.h5"])
def test_damaged_files_fail_with_one_error_type_and_leave_the_model(tmp_path, filename):
    model = trained_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (model.save_weights if filename.endswith(".weights.h5") else model.save)(tmp_path / filename)
    original = (tmp_path / filename).read_bytes()
    rng = numpy.random.default_rng(0)
    failures = 0
    for _ in range(30):
        damaged = bytearray(original)
        for position in rng.integers(0, len(damaged), size=rng.integers(1, 20)):
            damaged[position] = int(rng.integers(0, 256))
        (tmp_path / filename).write_bytes(bytes(damaged))
        perturb(model, seed=failures)
        before = values(model.weights)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.load_weights(tmp_path / filename)
        except ValueError:
            failures += 1
            assert_same(values(model.weights), before)
    assert failures >= 10  # flipped bytes in weight values themselves can go unnoticed: HDF5 has no checksums


@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_an_interrupted_weight_assignment_leaves_the_model_as_it_was(tmp_path, monkeypatch, suffix):
    from kerasish.backends.variable import Variable

    model = trained_model()
    path = tmp_path / f"model{suffix}"
    model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    perturb(model)
    before = values(model.weights)
    assign, calls = Variable.assign, []

    def interrupted_on_the_third(self, value):
        calls.append(self)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return assign(self, value)

    monkeypatch.setattr(Variable, "assign", interrupted_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        model.load_weights(path)
    monkeypatch.undo()
    assert len(calls) == 3
    assert_same(values(model.weights), before)
