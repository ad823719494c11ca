""".keras files whose functional graph holds op nodes (`x * 2`, `ops.concatenate`, a constant tensor, the
`NotEqual` of `Embedding(mask_zero=True)`): Keras-written ones load here (fixtures made by
tests/fixtures/make_keras_op_node_files.py), ones written here load back and, where Keras is installed, in
real Keras, with the same predictions."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "keras_op_nodes"


def predict(engine, model, x):
    return kerasish.function(lambda value: model(value), engine=engine)(Tensor(x)).numpy()


@pytest.mark.parametrize("name", ["masked_text", "shapes_and_activations"])
def test_keras_written_files_with_op_nodes_load_with_keras_predictions(engine, name):
    model = kerasish.saving.load_model(FIXTURES / f"{name}.keras")
    expected = numpy.load(FIXTURES / f"{name}_expected.npz")
    numpy.testing.assert_allclose(
        predict(engine, model, expected["inputs"]), expected["predictions"], rtol=1e-5, atol=1e-6
    )


def masked_text_model():
    kerasish.utils.set_random_seed(3)
    tokens = kerasish.Input((6,), dtype="int32")
    embedded = kerasish.layers.Embedding(12, 4, mask_zero=True)(tokens)
    encoded = kerasish.layers.LSTM(3)(embedded)
    joined = ops.concatenate([encoded, encoded * 2], axis=-1)
    shifted = joined + ops.convert_to_tensor(numpy.linspace(-1, 1, 6).astype("float32"))
    sliced = ops.reshape(ops.expand_dims(shifted, 1), (-1, 6))[:, 1:]
    return kerasish.Model(tokens, kerasish.layers.Dense(2)(ops.relu(sliced)))


TOKENS = numpy.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [11, 0, 0, 0, 0, 0]], "int32")


def saved_config(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def test_op_nodes_are_written_as_keras_operations(tmp_path):
    path = tmp_path / "model.keras"
    masked_text_model().save(path)
    entries = saved_config(path)["config"]["layers"]
    operations = {entry["class_name"]: entry for entry in entries if entry["module"].startswith("keras.src.ops.")}
    assert sorted(operations) == ["Add", "Concatenate", "ExpandDims", "GetItem", "Multiply", "Relu", "Reshape"]
    assert operations["Concatenate"]["config"] == {"name": "concatenate", "axis": -1}
    assert operations["Reshape"]["config"] == {"name": "reshape", "newshape": [-1, 6]}
    assert operations["Relu"]["module"] == "keras.src.ops.nn"
    constant = operations["Add"]["inbound_nodes"][0]["args"][1]
    assert constant["class_name"] == "__tensor__" and constant["config"]["dtype"] == "float32"
    key = operations["GetItem"]["inbound_nodes"][0]["args"][1]
    assert key == [
        {"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}},
        {"class_name": "__slice__", "config": {"start": 1, "stop": None, "step": None}},
    ]
    assert not any(entry["module"] == "kerasish.ops" for entry in entries)


def test_models_with_op_nodes_save_and_load_with_the_same_predictions(engine, tmp_path):
    model = masked_text_model()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = kerasish.saving.load_model(path)
    numpy.testing.assert_allclose(predict(engine, loaded, TOKENS), predict(engine, model, TOKENS), rtol=1e-6)


def test_op_names_never_clash_with_layer_names():
    inputs = kerasish.Input((3,))
    scaled = kerasish.layers.Dense(3, name="multiply")(inputs) * 2
    model = kerasish.Model(inputs, scaled * 3)
    names = [entry["name"] for entry in model.get_config()["layers"]]
    assert len(names) == len(set(names)) and names[-2:] == ["multiply_1", "multiply_2"]
    rebuilt = kerasish.Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    x = numpy.ones((2, 3), "float32")
    numpy.testing.assert_allclose(rebuilt(x).numpy(), model(x).numpy())


def test_an_internal_op_without_a_keras_operation_is_a_clear_error():
    inputs = kerasish.Input((4, 4))
    model = kerasish.Model(inputs, ops.eigh(inputs + ops.transpose(inputs, (0, 2, 1)))[0])
    with pytest.raises(ValueError, match="internal op 'eigh_values'.*inside a Layer"):
        model.get_config()


def test_an_unknown_operation_in_a_config_is_named():
    inputs = kerasish.Input((3,))
    config = kerasish.Model(inputs, inputs * 2).get_config()
    config["layers"][-1]["class_name"] = "NoSuchOperation"
    with pytest.raises(ValueError, match="Unknown operation 'NoSuchOperation'"):
        kerasish.Model.from_config(config)


_LOAD_IN_KERAS = """
import os, sys, numpy
os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
model = keras.saving.load_model(sys.argv[1])
numpy.save(sys.argv[3], numpy.asarray(model.predict(numpy.load(sys.argv[2]), verbose=0)))
"""


@pytest.mark.slow
def test_files_written_here_load_in_real_keras_with_the_same_predictions(tmp_path):
    pytest.importorskip("keras")
    model = masked_text_model()
    model.save(tmp_path / "model.keras")
    numpy.save(tmp_path / "tokens.npy", TOKENS)
    subprocess.run(
        [sys.executable, "-c", _LOAD_IN_KERAS, "model.keras", "tokens.npy", "predictions.npy"],
        cwd=tmp_path,
        check=True,
        env={**os.environ, "KERAS_BACKEND": "jax"},
        timeout=300,
    )
    expected = model.predict(TOKENS, verbose=0)
    numpy.testing.assert_allclose(numpy.load(tmp_path / "predictions.npy"), expected, rtol=1e-5, atol=1e-6)
