"""Object paths of Keras 3's weights layout: the paths Keras itself gives the same models."""

import numpy

from kerasish import layers, models
from kerasish.saving.object_paths import saveables
from tests.models.toy_layers import Moments, Scale
from tests.saving.models_for_tests import assert_same, trained_model, values


def paths(model):
    return [path for path, _ in saveables(model)]


def test_sequential_layers_are_named_by_class_in_order_and_the_optimizer_follows():
    model = trained_model()
    assert paths(model) == ["", "layers/scale", "layers/moments", "layers/total", "optimizer"]


class Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.second = Scale()
        self.first = Scale()

    def call(self, inputs):
        return self.second(self.first(inputs))


class Net(models.Model):
    """The structure of Keras's own check (`encoder`, a list `blocks`, a private `_hidden`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Block()
        self.blocks = [Scale(), Scale(), Moments()]
        self._hidden = Scale()

    def call(self, inputs):
        x = self.encoder(inputs)
        for block in self.blocks:
            x = block(x)
        return self._hidden(x)


def test_subclassed_model_paths_follow_attributes_sorted_public_first():
    model = Net()
    model(numpy.ones((2, 4), "float32"))
    # As Keras 3.15 writes them: sorted attribute names; list items by class name, made unique; a
    # sublayer held only privately appears under the model's `layers` list, counted in that list.
    assert paths(model) == [
        "",
        "blocks/scale",
        "blocks/scale_1",
        "blocks/moments",
        "encoder",
        "encoder/first",
        "encoder/second",
        "layers/scale_2",
    ]


def test_subclassed_weights_round_trip(tmp_path):
    model = Net()
    model(numpy.ones((2, 4), "float32"))
    for variable in model.weights:
        variable.assign(numpy.random.default_rng(len(variable.path)).standard_normal(variable.shape).astype("float32"))
    model.save_weights(tmp_path / "net.weights.h5")
    other = Net()
    other(numpy.ones((2, 4), "float32"))
    other.load_weights(tmp_path / "net.weights.h5")
    assert_same(values(other.weights), values(model.weights))


def test_functional_paths_include_the_input_layer():
    inputs = layers.Input((4,))
    model = models.Model(inputs, layers.Dense(2)(layers.Dense(3)(inputs)))
    assert paths(model) == ["", "layers/input_layer", "layers/dense", "layers/dense_1"]
