"""load_weights: the dry-run match table, the mismatch error, and channels_first construction."""

import json
import os

import numpy
import pytest

import kerasish
from kerasish.backends import config
from kerasish.backends.io.torch_pth import save_pth

from . import weight_generator

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "applications")


def resnet18_state():
    with open(os.path.join(FIXTURES, "resnet18_torchvision.json")) as f:
        return weight_generator.torch_state(json.load(f)["weights"])


def test_dry_run_prints_the_match_table_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "resnet18.pth"
    save_pth(resnet18_state(), path)
    model = kerasish.applications.ResNet18(weights=None)
    before = model.get_weights()
    rows = kerasish.applications.load_weights(model, path, dry_run=True)
    printed = capsys.readouterr().out
    assert "conv1_conv" in printed and "predictions" in printed and "ok" in printed
    assert {status for *_, status in rows} == {"ok"}
    assert ("predictions", [(512, 1000), (1000,)], [(512, 1000), (1000,)], "ok") in rows
    for got, expected in zip(model.get_weights(), before, strict=True):
        numpy.testing.assert_array_equal(got, expected)


def test_mismatch_error_lists_missing_unexpected_and_misshaped_keys(tmp_path):
    state = resnet18_state()
    del state["layer1.0.conv1.weight"]
    state["fc.weight"] = numpy.zeros((10, 512), "float32")
    state["extra.weight"] = numpy.zeros((3,), "float32")
    path = tmp_path / "broken.pth"
    save_pth(state, path)
    model = kerasish.applications.ResNet18(weights=None)
    before = model.get_weights()
    with pytest.raises(ValueError) as error:
        kerasish.applications.load_weights(model, path)
    message = str(error.value)
    assert "conv2_block1_1_conv: missing" in message
    assert "extra.weight: unexpected" in message
    assert "predictions: shape mismatch (file [(512, 10), (1000,)], model [(512, 1000), (1000,)])" in message
    for got, expected in zip(model.get_weights(), before, strict=True):
        numpy.testing.assert_array_equal(got, expected)


@pytest.fixture
def channels_first():
    """Switches image_data_format to channels_first for what runs inside `with channels_first:`."""

    class Switch:
        def __enter__(self):
            config.set_image_data_format("channels_first")

        def __exit__(self, *exception):
            config.set_image_data_format("channels_last")

    yield Switch()
    config.set_image_data_format("channels_last")


@pytest.mark.slow
def test_channels_first_model_loads_the_same_network(tmp_path, channels_first, engine):
    path = tmp_path / "resnet18.pth"
    save_pth(resnet18_state(), path)
    x = numpy.random.default_rng(0).standard_normal((1, 64, 64, 3)).astype("float32")
    last = kerasish.applications.ResNet18(weights=path, include_top=False, input_shape=(64, 64, 3), pooling="avg")
    last.compile(backend=engine)
    with channels_first:
        first = kerasish.applications.ResNet18(weights=path, include_top=False, input_shape=(3, 64, 64), pooling="avg")
        assert first.get_layer("conv1_bn").axis in (1, [1])
        first.compile(backend=engine)
        got = first.predict(numpy.transpose(x, (0, 3, 1, 2)), verbose=0)
    expected = last.predict(x, verbose=0)
    numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * numpy.abs(expected).max())
