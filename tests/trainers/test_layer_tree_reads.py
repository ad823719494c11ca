"""What a call of fit/evaluate/predict or a *_on_batch method reads of the layer tree: each layer's attributes
walked once per read (not once per collection), and nothing kept from one call to the next."""

import numpy
import pytest

import kerasish
from kerasish.layers.layer import tree_fixed
from kerasish.models import Model
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Scale


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


class CountedList(list):
    """A list attribute that counts how often something walks over it."""

    walks = 0

    def __iter__(self):
        CountedList.walks += 1
        return super().__iter__()


class Parts(Model):
    """Scales applied in turn; the parts sit in a list attribute, read by index in `call`."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def call(self, inputs):
        for position in range(len(self.parts)):
            inputs = self.parts[position](inputs)
        return kerasish.ops.sum(inputs, axis=-1, keepdims=True)


def data(rows=8):
    x = numpy.random.default_rng(0).normal(size=(rows, 3)).astype("float32")
    return x, x.sum(axis=1, keepdims=True) * 2


def compiled(parts, engine):
    net = Parts(parts)
    net.compile(optimizer=kerasish.optimizers.SGD(0.1), loss="mse", backend=engine)
    return net


def test_each_call_walks_a_layers_attributes_at_most_twice(engine):
    x, y = data()
    net = compiled(CountedList([Scale(), Scale()]), engine)
    net.train_on_batch(x, y)
    net.test_on_batch(x, y)
    net.predict_on_batch(x)
    walks = {}
    for name, method, arguments in [
        ("train_on_batch", net.train_on_batch, (x, y)),
        ("test_on_batch", net.test_on_batch, (x, y)),
        ("predict_on_batch", net.predict_on_batch, (x,)),
        ("fit", lambda *a: net.fit(*a, batch_size=4, epochs=2, verbose=0), (x, y)),
    ]:
        CountedList.walks = 0
        method(*arguments)
        walks[name] = CountedList.walks
    # train: the trainer's reads in one walk, and an eager step's state (the dynamic engine); predict reads none
    assert walks["train_on_batch"] <= 2 and walks["test_on_batch"] <= 1 and walks["predict_on_batch"] == 0
    assert walks["fit"] <= 2 * 2 + 2  # twice an epoch, as train_on_batch, and once before and after the epochs


def test_a_part_added_between_calls_is_found(engine):
    x, y = data()
    net = compiled([Scale()], engine)
    net.train_on_batch(x, y)
    added = Scale()
    added.build((None, 3))
    net.parts.append(added)  # a list mutated in place: no attribute is set
    assert any(variable is added.kernel for variable in net.trainable_variables)
    # found by the next call too: its optimizer, built for the first part's variables, refuses the new ones
    with pytest.raises(ValueError, match="Unknown variable: <Variable path=scale_1/kernel"):
        net.train_on_batch(x, y)


def test_a_part_frozen_between_calls_stops_training(engine):
    x, y = data()
    net = compiled([Scale(), Scale()], engine)
    net.train_on_batch(x, y)
    net.parts[1].trainable = False
    frozen = net.parts[1].kernel.numpy()
    net.train_on_batch(x, y)
    numpy.testing.assert_array_equal(net.parts[1].kernel.numpy(), frozen)
    assert len(net.trainable_variables) == 2


def test_reads_inside_a_fixed_tree_agree_with_reads_outside():
    scales = [Scale(), Scale(), Scale()]
    for scale in scales:
        scale.build((None, 3))
    net = Parts([scales[0], [scales[1], {"inner": scales[2]}]])
    outside = [net.variables, net.trainable_weights, net.layers, net._flatten_layers()]
    with tree_fixed():
        with tree_fixed():  # a block inside another keeps what the outer one found
            first = net.variables
        inside = [net.variables, net.trainable_weights, net.layers, net._flatten_layers()]
        layers = net.layers
        layers.append(Scale())  # a new list each time: the model's own is untouched
        assert len(net.layers) == len(outside[2])
    assert [[id(item) for item in read] for read in inside] == [[id(item) for item in read] for read in outside]
    assert [id(v) for v in first] == [id(v) for v in outside[0]]
    assert len(outside[0]) == 6 and len(outside[2]) == 3
