"""Parameter counts equal the originals; argument checks follow keras.applications."""

import math

import pytest

import kerasish

COUNTS = [
    ("ResNet50", "keras", True, 25_636_712),
    ("ResNet50", "keras", False, 23_587_712),
    ("ResNet101", "keras", True, 44_707_176),
    ("ResNet152", "keras", True, 60_419_944),
    # the two largest models (138M and 144M parameters) run in the full suite only
    pytest.param("VGG16", "keras", True, 138_357_544, marks=pytest.mark.slow),
    pytest.param("VGG19", "keras", True, 143_667_240, marks=pytest.mark.slow),
    ("AlexNet", "torchvision", True, 61_100_840),
    ("ResNet18", "torchvision", True, 11_689_512),
    ("ResNet34", "torchvision", True, 21_797_672),
    ("ResNet50", "torchvision", True, 25_557_032),
    ("ResNet101", "torchvision", True, 44_549_160),
    ("ResNet152", "torchvision", True, 60_192_808),
]


def _case_id(case):
    name, source, include_top, _ = getattr(case, "values", case)
    return f"{name}-{source}-{'top' if include_top else 'notop'}"


@pytest.mark.slow
@pytest.mark.parametrize("name, source, include_top, expected", COUNTS, ids=[_case_id(c) for c in COUNTS])
def test_parameter_counts_match_the_originals(name, source, include_top, expected, monkeypatch):
    from kerasish.applications import weight_sources

    model_name = name.lower()
    monkeypatch.setitem(weight_sources.DEFAULT_SOURCE, model_name, source)
    model = getattr(kerasish.applications, name)(weights=None, include_top=include_top)
    assert counted_parameters(model, source) == expected
    assert model.meta["source"] == source


def counted_parameters(model, source):
    """Keras counts every weight; torchvision counts `parameters()`, leaving out the BN running stats (buffers)."""
    if source == "keras":
        return model.count_params()
    return sum(int(math.prod(weight.shape)) for weight in model.trainable_weights)


def test_bad_weights_argument_is_refused():
    with pytest.raises(ValueError, match="weights=.*nonsense"):
        kerasish.applications.ResNet18(weights="nonsense")


def test_pretrained_top_requires_1000_classes(tmp_path):
    with pytest.raises(ValueError, match="classes=10"):
        kerasish.applications.ResNet18(weights="torchvision", classes=10)


def test_unknown_pooling_is_refused():
    with pytest.raises(ValueError, match="pooling"):
        kerasish.applications.ResNet18(weights=None, include_top=False, pooling="median")
