"""`model.layers` lists a functional model's layers in Keras's order (by depth from the outputs, the inputs
first; within a depth, in the order a walk from the outputs first reaches them), so weights and configs list
in Keras's order too. Checked against real Keras where it is installed."""

import os

import pytest

import kerasish


def branching_graph(library):
    layers = library.layers
    title = library.Input((5,), name="title")
    body = library.Input((4,), name="body")
    tags = library.Input((3,), name="tags")
    unused = library.Input((2,), name="unused")
    shared = layers.Dense(4, name="shared")
    summed = layers.Add(name="summed")(
        [shared(layers.Dense(3, name="title_proj")(title)), shared(layers.Dense(3, name="body_proj")(body))]
    )
    joined = layers.Concatenate(name="joined")([summed, tags])
    first = layers.Dense(1, name="first")(joined)
    second = layers.Dense(2, name="second")(layers.Dense(2, name="deeper")(summed))
    return library.Model([title, body, tags, unused], [first, second])


# an unused input has depth 0 and comes before the other layers of that depth, as in Keras
EXPECTED = ["title", "body", "title_proj", "body_proj", "shared", "summed", "tags", "joined", "deeper"]
EXPECTED += ["unused", "first", "second"]


def test_layers_are_listed_in_keras_order():
    assert [layer.name for layer in branching_graph(kerasish).layers] == EXPECTED


def test_the_order_is_real_keras_order():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    assert [layer.name for layer in branching_graph(keras).layers] == EXPECTED
