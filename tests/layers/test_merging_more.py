"""Keras's functional merge helpers (`layers.add`, `concatenate`, `dot`, ...) and `layers.serialize`/`deserialize`."""

import numpy
import pytest

import kerasish
from kerasish import layers
from tests.layers.layer_checks import random_inputs

A, B = random_inputs((2, 3), 0, "float32"), random_inputs((2, 3), 1, "float32")
HELPERS = [
    (layers.add, {}, A + B),
    (layers.subtract, {}, A - B),
    (layers.multiply, {}, A * B),
    (layers.average, {}, (A + B) / 2),
    (layers.maximum, {}, numpy.maximum(A, B)),
    (layers.minimum, {}, numpy.minimum(A, B)),
    (layers.concatenate, {"axis": 0}, numpy.concatenate([A, B], 0)),
    (layers.dot, {"axes": 1}, (A * B).sum(1, keepdims=True)),
    (
        layers.dot,
        {"axes": -1, "normalize": True},
        (A * B).sum(1, keepdims=True)
        / numpy.linalg.norm(A, axis=1, keepdims=True)
        / numpy.linalg.norm(B, axis=1, keepdims=True),
    ),
]


@pytest.mark.parametrize("helper, kwargs, expected", HELPERS)
def test_merge_helpers_on_arrays(helper, kwargs, expected):
    numpy.testing.assert_allclose(helper([A, B], **kwargs).numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("helper, kwargs, expected", HELPERS)
def test_merge_helpers_in_a_functional_model(helper, kwargs, expected, engine):
    first, second = kerasish.Input((3,)), kerasish.Input((3,))
    merged = helper([first, second], name="merged", **kwargs)
    model = kerasish.Model([first, second], merged)
    model.compile(backend=engine)
    numpy.testing.assert_allclose(model.predict([A, B], verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert model.get_layer("merged").get_config()["name"] == "merged"


def test_serialize_and_deserialize_a_layer():
    layer = layers.Dense(3, activation="relu", name="probe")
    layer.build((None, 4))
    config = layers.serialize(layer)
    assert config["module"] == "keras.layers" and config["class_name"] == "Dense"
    assert config["build_config"] == {"input_shape": (None, 4)}
    clone = layers.deserialize(config)
    assert type(clone) is layers.Dense and clone.get_config() == layer.get_config() and clone.built


def test_deserialize_refuses_what_is_not_a_layer():
    with pytest.raises(ValueError, match="not a `keras.layers.Layer`. Received: relu"):
        layers.deserialize("relu")


@pytest.mark.slow
def test_serialize_matches_keras():
    keras = pytest.importorskip("keras")
    ours, theirs = layers.Conv2D(3, 2, name="probe"), keras.layers.Conv2D(3, 2, name="probe")
    ours.build((None, 5, 5, 2))
    theirs.build((None, 5, 5, 2))
    expected = keras.layers.serialize(theirs)
    got = layers.serialize(ours)
    assert {k: v for k, v in got.items() if k != "config"} == {k: v for k, v in expected.items() if k != "config"}
    assert set(expected["config"]) <= set(got["config"])
    assert type(layers.deserialize(expected)) is layers.Conv2D
    assert type(keras.layers.deserialize(got)) is keras.layers.Conv2D
