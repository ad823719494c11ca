"""Keras configs that carry quantization/LoRA arguments load when those are off, and are refused when on."""

import pytest

from kerasish import layers
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer


def dense_config(**extra):
    config = serialize_layer(layers.Dense(3, name="head"))
    config["config"].update(extra)
    return config


def test_inert_arguments_are_dropped():
    layer = deserialize_layer(dense_config(quantization_config=None, lora_rank=None))
    assert isinstance(layer, layers.Dense) and layer.units == 3 and layer.name == "head"


@pytest.mark.parametrize("key, value", [("quantization_config", {"mode": "int8"}), ("lora_rank", 4)])
def test_used_arguments_are_refused_naming_the_layer(key, value):
    with pytest.raises(ValueError, match=rf"'head' \(Dense\) was saved with {key}=.*does not implement"):
        deserialize_layer(dense_config(**{key: value}))


def test_unknown_arguments_still_fail():
    with pytest.raises(TypeError):
        deserialize_layer(dense_config(no_such_argument=1))
