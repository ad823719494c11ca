"""A failed applications load changes nothing (issue 11, finding 5): every entry is read and checked
(shapes, layouts, numeric dtypes) before any variable is assigned."""

import json
import os

import h5py
import numpy
import pytest

import kerasish
from kerasish.backends.io.torch_pth import save_pth
from kerasish.saving.legacy_h5_format import write_layer_weights
from tests.applications import weight_generator

from . import crafted_pth

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "applications")


def resnet18_state():
    with open(os.path.join(FIXTURES, "resnet18_torchvision.json")) as file:
        return weight_generator.torch_state(json.load(file)["weights"])


@pytest.fixture(scope="module")
def model():
    return kerasish.applications.ResNet18(weights=None)


def assert_unchanged(model, before):
    for got, expected in zip(model.get_weights(), before, strict=True):
        numpy.testing.assert_array_equal(got, expected)


def test_an_h5_whose_last_entry_is_not_numeric_assigns_nothing(tmp_path, model):
    """The file's shapes all match; only the last layer's bias holds text, found when assigning."""
    layers = [
        (layer.name, [(w.path.split("/")[-1], w.numpy() + 1) for w in layer.weights])
        for layer in model.layers
        if layer.weights
    ]
    name, weights = layers[-1]
    layers[-1] = (name, [weights[0], (weights[1][0], numpy.array([b"x"] * weights[1][1].shape[0]))])
    path = tmp_path / "last_entry_is_text.h5"
    with h5py.File(path, "w") as file:
        write_layer_weights(file, layers)
    before = model.get_weights()
    with pytest.raises(ValueError, match="predictions.*(not numeric|not a numeric)") as error:
        kerasish.applications.load_weights(model, path)
    assert str(path) in str(error.value)
    assert_unchanged(model, before)


@pytest.mark.parametrize(
    "last_value, pattern",
    [
        (crafted_pth.Tensor("x", (1000, 1), (1, 1)), "fc.bias has shape \\(1000, 1\\), not 1 dimensions"),
        ([0.0] * 1000, "fc.bias is not a numeric tensor \\(list\\)"),
    ],
)
def test_a_pth_whose_last_entry_is_wrong_assigns_nothing(tmp_path, model, last_value, pattern):
    state = resnet18_state()
    storages = {
        str(i): numpy.ascontiguousarray(v, "<f4" if v.dtype.kind == "f" else "<i8").ravel()
        for i, v in enumerate(state.values())
    }
    storages["x"] = numpy.zeros(1000, "<f4")
    tensors = {
        name: crafted_pth.Tensor(
            str(i),
            v.shape,
            tuple(s // v.itemsize for s in v.strides),
            storage_type="FloatStorage" if v.dtype.kind == "f" else "LongStorage",
        )
        for i, (name, v) in enumerate(state.items())
    }
    assert list(tensors)[-1] == "fc.bias"
    tensors["fc.bias"] = last_value
    path = tmp_path / "last_entry_is_wrong.pth"
    crafted_pth.write_zip(path, crafted_pth.state_pickle(tensors, storages), storages)
    before = model.get_weights()
    with pytest.raises(ValueError, match=f"predictions: unreadable: {pattern}"):
        kerasish.applications.load_weights(model, path)
    assert_unchanged(model, before)


def test_the_constructor_refuses_the_same_file_before_building_anything_on_it(tmp_path):
    state = resnet18_state()
    state["fc.bias"] = numpy.zeros((1000, 1), "float32")
    path = tmp_path / "resnet18.pth"
    save_pth(state, path)
    with pytest.raises(ValueError, match="predictions: unreadable: fc.bias has shape \\(1000, 1\\)"):
        kerasish.applications.ResNet18(weights=str(path))


def test_a_good_file_still_loads_every_layer(tmp_path, model):
    state = resnet18_state()
    path = tmp_path / "resnet18.pth"
    save_pth(state, path)
    kerasish.applications.load_weights(model, path)
    numpy.testing.assert_array_equal(model.get_layer("predictions").get_weights()[1], state["fc.bias"])
    numpy.testing.assert_array_equal(
        model.get_layer("conv1_conv").get_weights()[0], numpy.transpose(state["conv1.weight"], (2, 3, 1, 0))
    )
