"""Legacy HDF5: `model.save("m.h5")`, and load_weights of the layouts every Keras era wrote."""

import warnings

import h5py
import numpy
import pytest

from kerasish.models import load_model
from tests.saving.models_for_tests import CUSTOM_OBJECTS, assert_same, perturb, toy_model, trained_model, values

RNG = numpy.random.default_rng(3)
ARRAYS = {
    "kernel": RNG.standard_normal(4).astype("float32"),
    "bias": RNG.standard_normal(4).astype("float32"),
    "gamma": RNG.standard_normal(4).astype("float32"),
    "count": numpy.array(5.0, "float32"),
}


def _strings(names, fixed_length):
    return numpy.array([n.encode() for n in names], dtype="S") if fixed_length else names


def write_variant(path, era, chunked=False, under_model_weights=False):
    """A weights file for the toy model as Keras 1, Keras 2 or Keras 3 names its datasets."""
    names = {
        "keras1": {"conv_a": ["conv_a_W:0", "conv_a_b:0"], "norm_b": ["norm_b_gamma:0", "norm_b_count:0"]},
        "keras2": {"conv_a": ["conv_a/kernel:0", "conv_a/bias:0"], "norm_b": ["norm_b/gamma:0", "norm_b/count:0"]},
        "keras3": {
            "conv_a": ["seq/conv_a/kernel", "seq/conv_a/bias"],
            "norm_b": ["seq/norm_b/gamma", "seq/norm_b/count"],
        },
    }[era]
    values_by_layer = {"conv_a": [ARRAYS["kernel"], ARRAYS["bias"]], "norm_b": [ARRAYS["gamma"], ARRAYS["count"]]}
    fixed = era == "keras1"
    with h5py.File(path, "w") as file:
        root = file.create_group("model_weights") if under_model_weights else file
        layer_names = ["input_1", "conv_a", "norm_b", "sum_c"]
        if chunked:
            root.attrs["layer_names0"] = _strings(layer_names[:2], fixed)
            root.attrs["layer_names1"] = _strings(layer_names[2:], fixed)
        else:
            root.attrs["layer_names"] = _strings(layer_names, fixed)
        for layer in layer_names:
            group = root.create_group(layer)
            group.attrs["weight_names"] = _strings(names.get(layer, []), fixed) if layer in names else numpy.zeros(0)
            for name, array in zip(names.get(layer, []), values_by_layer.get(layer, [])):
                group.create_dataset(name, data=array)


@pytest.mark.parametrize("era", ["keras1", "keras2", "keras3"])
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("under_model_weights", [False, True])
def test_load_weights_reads_every_naming_era_in_order(tmp_path, era, chunked, under_model_weights):
    write_variant(tmp_path / "w.h5", era, chunked, under_model_weights)
    model = toy_model()
    model.load_weights(tmp_path / "w.h5")
    assert_same(values(model.weights), [ARRAYS[k] for k in ("kernel", "bias", "gamma", "count")])


def test_by_name_matches_layer_names_and_leaves_the_rest(tmp_path):
    write_variant(tmp_path / "w.h5", "keras2")
    model = toy_model()
    model.layers[0].name = "conv_a"
    before = values(model.layers[1].weights)
    model.load_weights(tmp_path / "w.h5", by_name=True)
    assert_same(values(model.layers[0].weights), [ARRAYS["kernel"], ARRAYS["bias"]])
    assert_same(values(model.layers[1].weights), before)


def test_order_mismatch_error_lists_every_problem_with_both_shapes(tmp_path):
    write_variant(tmp_path / "w.h5", "keras3")
    with h5py.File(tmp_path / "w.h5", "a") as file:
        del file["conv_a/seq/conv_a/bias"]
        file["conv_a"].create_dataset("seq/conv_a/bias", data=numpy.zeros(7, "float32"))
    model = toy_model()
    before = values(model.weights)
    with pytest.raises(ValueError) as error:
        model.load_weights(tmp_path / "w.h5")
    message = str(error.value)
    assert "scale (file: conv_a): shape mismatch (file (4,), (7,), model (4,), (4,))" in message
    assert "nothing was assigned" in message
    assert_same(values(model.weights), before)


def test_layer_count_mismatch_names_missing_layers(tmp_path):
    write_variant(tmp_path / "w.h5", "keras2")
    with h5py.File(tmp_path / "w.h5", "a") as file:
        file.attrs["layer_names"] = numpy.array([b"input_1", b"conv_a", b"sum_c"])
    with pytest.raises(ValueError, match=r"moments: missing \(file -, model \(4,\), \(\)\)"):
        toy_model().load_weights(tmp_path / "w.h5")


def test_skip_mismatch_loads_the_rest_with_a_warning(tmp_path):
    write_variant(tmp_path / "w.h5", "keras2")
    with h5py.File(tmp_path / "w.h5", "a") as file:
        del file["norm_b/norm_b/gamma:0"]
        file["norm_b"].create_dataset("norm_b/gamma:0", data=numpy.zeros(3, "float32"))
    model = toy_model()
    before = values(model.layers[1].weights)
    with pytest.warns(UserWarning, match=r"Skipping loading weights for moments \(file: norm_b\): shape mismatch"):
        model.load_weights(tmp_path / "w.h5", skip_mismatch=True)
    assert_same(values(model.layers[0].weights), [ARRAYS["kernel"], ARRAYS["bias"]])
    assert_same(values(model.layers[1].weights), before)


def test_dry_run_prints_the_table_and_changes_nothing(tmp_path, capsys):
    write_variant(tmp_path / "w.h5", "keras1")
    model = toy_model()
    before = values(model.weights)
    assert model.load_weights(tmp_path / "w.h5", dry_run=True) is None
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "w.h5 -> sequential"
    assert lines[1].split() == ["Layer", "File", "shape(s)", "Model", "shape(s)", "Status"]
    assert lines[2].split() == ["scale", "(file:", "conv_a)", "(4,),", "(4,)", "(4,),", "(4,)", "ok"]
    assert lines[3].split() == ["moments", "(file:", "norm_b)", "(4,),", "()", "(4,),", "()", "ok"]
    assert_same(values(model.weights), before)


def test_save_h5_warns_that_the_format_is_legacy_and_round_trips(tmp_path):
    model = trained_model()
    with pytest.warns(UserWarning, match="This file format is considered legacy"):
        model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as file:
        assert {"model_config", "training_config", "keras_version", "backend"} <= set(file.attrs)
        assert [n.decode() for n in file["model_weights"].attrs["layer_names"]] == ["scale", "moments", "total"]
        assert "optimizer_weights" in file
    loaded = load_model(tmp_path / "m.h5", custom_objects=CUSTOM_OBJECTS)
    assert_same(values(loaded.weights), values(model.weights))
    assert_same(values(loaded.optimizer.variables), values(model.optimizer.variables))
    other = toy_model()
    other.load_weights(tmp_path / "m.h5")
    assert_same(values(other.weights), values(model.weights))


def test_weights_only_h5_is_not_a_model_file(tmp_path):
    write_variant(tmp_path / "w.h5", "keras2")
    with pytest.raises(ValueError, match="No model config found in the file at .*w.h5"):
        load_model(tmp_path / "w.h5")


def test_truncated_h5_gives_clear_error_and_model_untouched(tmp_path):
    model = trained_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "m.h5")
    content = (tmp_path / "m.h5").read_bytes()
    (tmp_path / "m.h5").write_bytes(content[: len(content) // 2])
    perturb(model)
    before = values(model.weights)
    with pytest.raises(ValueError, match=r"m\.h5: not a readable Keras \.h5 file \(truncated or corrupt\?\)"):
        model.load_weights(tmp_path / "m.h5")
    assert_same(values(model.weights), before)
