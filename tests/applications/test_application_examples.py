"""examples/classify_image.py and examples/finetune.py run on a generated torchvision file."""

import importlib.util
import json
import os

import numpy
import pytest

from kerasish.backends.io.torch_pth import save_pth
from kerasish.utils.image_utils import write_png

from . import weight_generator

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def example(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "examples", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resnet18_file(folder):
    with open(os.path.join(ROOT, "tests", "fixtures", "applications", "resnet18_torchvision.json")) as f:
        keys = json.load(f)["weights"]
    path = os.path.join(folder, "resnet18.pth")
    save_pth(weight_generator.torch_state(keys), path)
    return path


@pytest.mark.slow
def test_classify_image_prints_top5(tmp_path, capsys):
    image = tmp_path / "digit.png"
    write_png(image, numpy.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=numpy.uint8))
    top5 = example("classify_image").main(str(image), "ResNet18", resnet18_file(tmp_path))
    assert len(top5) == 5 and all(len(entry) == 3 for entry in top5)
    assert [score for _, _, score in top5] == sorted((score for _, _, score in top5), reverse=True)
    assert top5[0][1] in capsys.readouterr().out


@pytest.mark.slow
def test_finetune_trains_only_the_new_head(tmp_path):
    path = resnet18_file(tmp_path)
    module = example("finetune")
    model, history, accuracy = module.main(weights=path, epochs=3, samples=256, verbose=0)
    base = model.layers[1]
    reference = module.keras.applications.ResNet18(
        weights=path, include_top=False, input_shape=(32, 32, 3), pooling="avg"
    )
    moving_statistics = [w for w in base.non_trainable_weights if "moving" in w.path]
    assert len(moving_statistics) == 2 * 20  # mean and variance of ResNet18's 20 BatchNormalization layers
    for got, expected in zip(base.get_weights(), reference.get_weights(), strict=True):
        numpy.testing.assert_array_equal(got, expected)
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0], losses
    assert 0.0 <= accuracy <= 1.0
