"""KerasFileEditor: reading `.keras`/`.weights.h5` through the safe readers, editing, comparing with a model,
and writing a `.weights.h5` that loads here and in Keras."""

import h5py
import numpy
import pytest

import kerasish
from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.saving import KerasFileEditor


def small_model(units=3):
    model = kerasish.Sequential([kerasish.Input((4,)), kerasish.layers.Dense(units), kerasish.layers.Dense(2)])
    return model


@pytest.fixture
def saved(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "model.weights.h5")
    model.save(tmp_path / "model.keras")
    return model, tmp_path


@pytest.mark.parametrize("name", ["model.keras", "model.weights.h5"])
def test_the_tree_holds_the_weights_by_object_path(saved, name):
    model, folder = saved
    editor = KerasFileEditor(folder / name)
    layers = editor.weights_dict["layers"]
    assert list(layers) == ["dense", "dense_1"]
    numpy.testing.assert_array_equal(layers["dense"]["0"], model.layers[0].kernel.numpy())
    numpy.testing.assert_array_equal(layers["dense_1"]["1"], model.layers[1].bias.numpy())
    assert (editor.config is not None) == name.endswith(".keras")
    assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": 4}


def test_summary_lists_objects_and_shapes(saved, capsys):
    _, folder = saved
    KerasFileEditor(folder / "model.weights.h5").summary()
    output = capsys.readouterr().out
    assert "layers/dense  [0: (4, 3) float32, 1: (3,) float32]" in output


def test_edits_then_save_load_into_the_changed_model(saved):
    model, folder = saved
    editor = KerasFileEditor(folder / "model.keras")
    wider = small_model(units=5)
    result = editor.compare(wider)
    assert result["status"] == "error" and result["error_count"] == 3 and result["match_count"] == 1
    kernel, bias = numpy.ones((4, 5), "float32"), numpy.zeros(5, "float32")
    editor.delete_object("layers/dense")
    editor.add_object("layers/dense", {"0": kernel, "1": bias})
    editor.delete_weight("dense_1", "0")
    editor.add_weights("dense_1", {"0": numpy.full((5, 2), 0.5, "float32")})
    assert editor.compare(wider)["status"] == "success"
    editor.save(folder / "edited.weights.h5")
    wider.load_weights(folder / "edited.weights.h5")
    numpy.testing.assert_array_equal(wider.layers[0].kernel.numpy(), kernel)
    numpy.testing.assert_array_equal(wider.layers[1].bias.numpy(), model.layers[1].bias.numpy())


def test_rename_and_errors(saved):
    _, folder = saved
    editor = KerasFileEditor(folder / "model.weights.h5")
    editor.rename_object("dense_1", "output")
    assert list(editor.weights_dict["layers"]) == ["dense", "output"]
    with pytest.raises(ValueError, match="should be a leaf name"):
        editor.rename_object("dense", "a/b")
    with pytest.raises(ValueError, match="Source name 'missing' does not appear"):
        editor.delete_object("missing")
    with pytest.raises(ValueError, match="Path 'layers/missing' not found"):
        editor.delete_object("layers/missing")
    with pytest.raises(ValueError, match="Weight 7 not found in object dense. Weights found: \\['0', '1'\\]"):
        editor.delete_weight("dense", "7")
    with pytest.raises(ValueError, match="Argument `weights` should be a dict"):
        editor.add_weights("dense", [numpy.ones(2)])
    with pytest.raises(ValueError, match="expected a `.weights.h5` extension"):
        editor.save(folder / "x.h5")
    with pytest.raises(ValueError, match="expected a `.keras` `.weights.h5` extension"):
        KerasFileEditor(folder / "model.h5")
    editor.add_object("extra", {"0": numpy.ones(2)})
    editor.add_object("layers/more", {"0": numpy.ones(2)})
    with pytest.raises(ValueError, match="Name '0'|occurs more than once"):
        editor.delete_object("0")


def test_hostile_files_are_refused_by_the_safe_reader(tmp_path):
    target = tmp_path / "other.h5"
    with h5py.File(target, "w") as file:
        file["x"] = numpy.ones(3)
    path = tmp_path / "linked.weights.h5"
    with h5py.File(path, "w") as file:
        file.create_group("layers/dense/vars")["0"] = h5py.ExternalLink(str(target), "x")
    with pytest.raises(UnreadableFileError, match="ExternalLink"):
        KerasFileEditor(path)


def test_a_file_written_here_loads_in_keras():
    keras = pytest.importorskip("keras")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model = small_model()
        model.save_weights(f"{folder}/a.weights.h5")
        editor = KerasFileEditor(f"{folder}/a.weights.h5")
        editor.add_weights("dense", {"0": numpy.full((4, 3), 2.0, "float32")})
        editor.save(f"{folder}/b.weights.h5")
        theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
        theirs.load_weights(f"{folder}/b.weights.h5")
        numpy.testing.assert_array_equal(numpy.asarray(theirs.layers[0].kernel), 2.0)
        keras_editor = keras.saving.KerasFileEditor(f"{folder}/b.weights.h5")
        ours = KerasFileEditor(f"{folder}/b.weights.h5")
        assert list(keras_editor.weights_dict) == list(ours.weights_dict)
        assert list(keras_editor.weights_dict["layers"]) == list(ours.weights_dict["layers"])
