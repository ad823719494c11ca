"""Application models reproduce the real frameworks' logits from weight files kerasish writes.

Fixtures (tests/fixtures/make_application_fixtures.py, run once with torchvision and Keras) hold the
weight names/shapes and the logits; the weights themselves are regenerated here with numpy.
"""

import glob
import json
import os

import h5py
import numpy
import pytest

import kerasish
from kerasish.backends.io.torch_pth import save_pth
from kerasish.saving.legacy_h5_format import write_layer_weights

from . import weight_generator

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "applications")
CONSTRUCTORS = {
    "alexnet": "AlexNet",
    "vgg16": "VGG16",
    "vgg19": "VGG19",
    "resnet18": "ResNet18",
    "resnet34": "ResNet34",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
    "resnet152": "ResNet152",
}
DEEP = ("resnet101", "resnet152")
# The fast tier: one fixture per architecture family and weight source at the smaller input size (each
# test a few seconds); the full suite runs every fixture at every size, each as its own test line.
FAST = (
    "alexnet_torchvision-112",
    "resnet18_torchvision-112",
    "resnet18_torchvision-224",
    "resnet50_torchvision-112",
    "resnet50_keras-224",
    "resnet50_notop_keras-112",
    "vgg16_notop_keras-112",
)


def fixtures():
    found = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
        name = os.path.basename(path)[: -len(".json")]
        with open(path) as f:
            spec = json.load(f)
        with numpy.load(os.path.join(FIXTURES, f"{name}_logits.npz")) as data:
            for size in data.files:
                case = f"{name}-{size}"
                marks = [] if case in FAST else [pytest.mark.slow]
                found.append(pytest.param(spec, size, data[size], id=case, marks=marks))
    return found


def write_weights(spec, folder):
    if spec["source"] == "torchvision":
        path = os.path.join(folder, f"{spec['model']}.pth")
        save_pth(weight_generator.torch_state(spec["weights"]), path)
        return path
    path = os.path.join(folder, f"{spec['model']}.h5")
    layers = weight_generator.keras_layers(spec["layers"])
    with h5py.File(path, "w") as f:
        write_layer_weights(f, [(name, [(str(i), a) for i, a in enumerate(arrays)]) for name, arrays in layers])
    return path


@pytest.mark.slow
@pytest.mark.parametrize("spec, size, expected", fixtures())
def test_loaded_weights_reproduce_reference_logits(spec, size, expected, tmp_path, engine):
    path = write_weights(spec, tmp_path)
    include_top = spec.get("include_top", True)
    constructor = getattr(kerasish.applications, CONSTRUCTORS[spec["model"]])
    model = constructor(
        weights=path, include_top=include_top, classifier_activation=None, input_shape=(int(size), int(size), 3)
    )
    assert model.meta["source"] == spec["source"]
    model.compile(backend=engine)
    got = model.predict(weight_generator.inputs(size), verbose=0)
    if spec["source"] == "torchvision" or not include_top:
        got = got.reshape(expected.shape) if spec["source"] == "keras" else got
    error = numpy.abs(got - expected).max() / numpy.abs(expected).max()
    tolerance = 2e-3 if spec["model"] in DEEP else 1e-4
    assert error <= tolerance, f"{spec['model']} ({spec['source']}) at {size}: max-normalised error {error:.2e}"
