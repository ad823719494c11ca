import json

import numpy
import pytest

import kerasish
from kerasish.backends.dynamic import Tensor
from kerasish.models import Functional, Model, Sequential
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Moments, Plus, Recorder, Scale, Total

CUSTOM = {"Scale": Scale, "Total": Total, "Plus": Plus, "Moments": Moments}


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


def predict(engine, model, *inputs):
    return kerasish.function(lambda *xs: model(*xs), engine=engine)(*[Tensor(x) for x in inputs]).numpy()


def data(rows=4, columns=3, seed=0):
    return numpy.random.default_rng(seed).normal(size=(rows, columns)).astype("float32")


def expected_scale(x):
    return x * numpy.linspace(0.5, 1.5, x.shape[-1]).astype("float32")


def test_sequential_from_input_is_built_and_runs_on_both_engines(engine):
    model = Sequential([kerasish.Input((3,)), Scale(), Total()])
    assert model.built and [layer.name for layer in model.layers] == ["scale", "total"]
    assert model.output.shape == (None, 1)
    assert [w.path for w in model.weights] == ["sequential/scale/kernel", "sequential/scale/bias"]
    x = data()
    numpy.testing.assert_allclose(predict(engine, model, x), expected_scale(x).sum(-1, keepdims=True), rtol=1e-5)


def test_sequential_builds_on_first_call_and_from_input_shape_argument():
    lazy = Sequential([Scale(), Total()])
    assert not lazy.built
    lazy(data())
    assert lazy.built and lazy.output.shape == (None, 1)
    with pytest.warns(UserWarning):
        eager = Sequential([Scale(input_shape=(3,)), Total()])
    assert eager.built and eager.count_params() == 6


def test_sequential_add_pop_and_errors():
    model = Sequential()
    model.add(kerasish.Input((3,)))
    model.add(Scale(name="a"))
    model.add(Total())
    assert model.output.shape == (None, 1)
    assert model.pop().name == "total"
    assert model.output.shape == (None, 3)
    with pytest.raises(ValueError, match="unique names.*'a'"):
        model.add(Scale(name="a"))
    with pytest.raises(ValueError, match="Only instances of `kerasish.layers.Layer`.*int"):
        model.add(3)
    with pytest.raises(ValueError, match="already been configured to use input shape"):
        model.add(kerasish.Input((5,)))


def test_sequential_wrong_input_shape_names_the_layer():
    model = Sequential([kerasish.Input((3,)), Scale(), Total()])
    with pytest.raises(ValueError, match=r"Scale 'scale'.*expected axis -1 of input shape to have value 3.*\(2, 4\)"):
        model(data(2, 4))


def test_functional_multi_input_multi_output_with_shared_layer(engine):
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    shared = Scale(name="shared")
    merged = Plus(name="plus")([shared(a), shared(b)])
    total = Total(name="total")(merged)
    model = Model([a, b], [total, merged])
    assert isinstance(model, Functional)
    assert [layer.name for layer in model.layers] == ["a", "b", "shared", "plus", "total"]  # Keras's order
    assert len(model.weights) == 2
    xa, xb = data(seed=1), data(seed=2)
    outputs = kerasish.function(lambda p, q: model([p, q]), engine=engine)(Tensor(xa), Tensor(xb))
    both = expected_scale(xa) + expected_scale(xb)
    numpy.testing.assert_allclose(outputs[1].numpy(), both, rtol=1e-5)
    numpy.testing.assert_allclose(outputs[0].numpy(), both.sum(-1, keepdims=True), rtol=1e-5)


def test_functional_dict_inputs_and_outputs():
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    model = Model({"left": a, "right": b}, {"sum": Plus()([a, b])})
    result = model({"right": data(seed=2), "left": data(seed=1)})
    numpy.testing.assert_allclose(result["sum"].numpy(), data(seed=1) + data(seed=2))
    with pytest.raises(ValueError, match='Missing data for input "right" of layer Functional'):
        model({"left": data()})


def test_functional_graph_disconnected_is_an_error():
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    out = Plus()([a, b])
    with pytest.raises(ValueError, match="graph disconnected"):
        Model(a, out)


def test_nested_models_act_as_layers(engine):
    inner = Sequential([kerasish.Input((3,)), Scale()], name="inner")
    x = kerasish.Input((3,))
    outer = Model(x, Total()(inner(x)))
    assert outer.layers[1] is inner
    assert [w.path for w in outer.weights] == ["inner/scale/kernel", "inner/scale/bias"]
    values = data()
    numpy.testing.assert_allclose(
        predict(engine, outer, values), expected_scale(values).sum(-1, keepdims=True), rtol=1e-5
    )


def test_raw_ops_on_keras_tensors_become_part_of_the_graph(engine):
    x = kerasish.Input((3,))
    model = Model(x, Scale()(x) * 2.0 + x)
    values = data()
    numpy.testing.assert_allclose(predict(engine, model, values), expected_scale(values) * 2 + values, rtol=1e-5)


class Weighted(kerasish.layers.Layer):
    def call(self, inputs, other=None, factor=1.0):
        return inputs * factor + other


def test_a_functional_call_passes_positional_keyword_nested_and_constant_arguments(engine):
    x = kerasish.Input((3,))
    scaled = Scale()(x)
    weighted = Weighted()(x, other=scaled, factor=3.0)
    model = Model(x, Plus()([weighted, scaled, x]))
    values = data()
    expected = values * 3.0 + 2 * expected_scale(values) + values
    numpy.testing.assert_allclose(predict(engine, model, values), expected, rtol=1e-5)


class Pair(kerasish.layers.Layer):
    """One tensor in, two out."""

    def call(self, inputs):
        return inputs + 1.0, inputs * 2.0


def test_a_functional_call_of_one_tensor_nodes_with_nested_outputs_raw_ops_and_shared_tensors(engine):
    x = kerasish.Input((3,))
    scaled = Scale()(x)
    plus_one, doubled = Pair()(scaled)
    rectified = kerasish.ops.relu(doubled - 1.0)
    model = Model(x, [Plus()([rectified, plus_one]), Total()(plus_one), scaled])
    values = data()
    outputs = kerasish.function(lambda t: model(t), engine=engine)(Tensor(values))
    s = expected_scale(values)
    expected = [numpy.maximum(2 * s - 1, 0) + s + 1, (s + 1).sum(-1, keepdims=True), s]
    for output, value in zip(outputs, expected):
        numpy.testing.assert_allclose(output.numpy(), value, rtol=1e-5)


class DefaultTraining(kerasish.layers.Layer):
    def call(self, inputs, training=False, mask=None):
        return inputs


def test_a_symbolic_call_records_its_inputs_as_given_not_cast_to_the_compute_dtype():
    x = kerasish.Input((3,))
    y = Scale(dtype="float16")(x)
    assert y.node.args == (x,) and y.dtype == "float16"
    assert [entry["class_name"] for entry in Model(x, y).get_config()["layers"]] == ["InputLayer", "Scale"]


def test_a_symbolic_call_records_its_keyword_arguments_as_given():
    x = kerasish.Input((3,))
    assert DefaultTraining()(x).node.kwargs == {}
    assert DefaultTraining()(x, training=True).node.kwargs == {"training": True}
    model = Model(x, DefaultTraining()(Scale()(x)))
    assert [node["kwargs"] for node in model.get_config()["layers"][-1]["inbound_nodes"]] == [{}]


class Subclassed(Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = Scale()
        self.moments = Moments()
        self.recorder = Recorder()

    def call(self, inputs, training=None):
        return self.recorder(self.moments(self.scale(inputs)))


def test_subclassed_model_tracks_layers_weights_and_training(engine):
    model = Subclassed()
    x = data()
    kerasish.function(lambda t: model(t, training=True), engine=engine)(Tensor(x))
    assert [layer.name for layer in model.layers] == ["scale", "moments", "recorder"]
    assert [w.path for w in model.weights] == [
        "subclassed/scale/kernel",
        "subclassed/scale/bias",
        "subclassed/moments/gamma",
        "subclassed/moments/count",
    ]
    assert len(model.trainable_weights) == 3 and len(model.non_trainable_weights) == 1
    assert model.recorder.seen == [True]
    assert float(model.moments.count.numpy()) == 1.0
    assert model.get_layer("moments") is model.moments and model.get_layer(index=0) is model.scale


def test_get_layer_errors():
    model = Sequential([kerasish.Input((3,)), Scale()])
    with pytest.raises(ValueError, match="No such layer: nope. Existing layers are: \\['scale'\\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="index 5.*only has 1 layers"):
        model.get_layer(index=5)


def test_get_set_weights_and_count_params():
    model = Sequential([kerasish.Input((3,)), Scale(), Moments()])
    assert model.count_params() == 3 + 3 + 3 + 1
    weights = [w + 1 for w in model.get_weights()]
    model.set_weights(weights)
    for got, want in zip(model.get_weights(), weights):
        numpy.testing.assert_array_equal(got, want)


def test_sequential_config_round_trips_like_keras():
    model = Sequential([kerasish.Input((3,)), Scale(), Total()], name="seq")
    config = json.loads(json.dumps(model.get_config()))
    assert [entry["class_name"] for entry in config["layers"]] == ["InputLayer", "Scale", "Total"]
    assert config["layers"][0]["module"] == "keras.layers"
    assert config["layers"][1]["build_config"] == {"input_shape": [None, 3]}
    from kerasish.utils.object_serialization import deserialize_layer

    clone = deserialize_layer({"module": "keras", "class_name": "Sequential", "config": config}, CUSTOM)
    assert clone.name == "seq" and [layer.name for layer in clone.layers] == ["scale", "total"]
    clone.set_weights(model.get_weights())
    x = data()
    numpy.testing.assert_allclose(clone(x).numpy(), model(x).numpy())


def test_functional_config_round_trips_like_keras():
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    shared = Scale(name="shared")
    merged = Plus(name="plus")([shared(a), shared(b)])
    model = Model([a, b], [Total(name="total")(merged), merged * 2.0], name="net")
    config = json.loads(json.dumps(model.get_config()))
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    shared_entry = next(entry for entry in config["layers"] if entry["name"] == "shared")
    assert [node["args"][0]["config"]["keras_history"] for node in shared_entry["inbound_nodes"]] == [
        ["a", 0, 0],
        ["b", 0, 0],
    ]
    from kerasish.utils.object_serialization import deserialize_layer

    clone = deserialize_layer(
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": config}, CUSTOM
    )
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    xa, xb = data(seed=1), data(seed=2)
    for got, want in zip(clone([xa, xb]), model([xa, xb])):
        numpy.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_model_without_compile_errors_on_fit():
    model = Sequential([kerasish.Input((3,)), Scale()])
    with pytest.raises(ValueError, match="must call `compile\\(\\)`.*fit\\(\\).*'sequential'"):
        model.fit(data(), data())


def test_clone_model_rebuilds_sequential_and_functional_with_new_weights():
    from kerasish.models import clone_model

    sequential = Sequential([kerasish.Input((3,)), Scale(), Total()])
    a, b = kerasish.Input((3,), name="a"), kerasish.Input((3,), name="b")
    shared = Scale()
    functional = Model([a, b], Plus()([shared(a), shared(b)]))
    for original in (sequential, functional):
        clone = clone_model(original)
        assert type(clone) is type(original)
        assert [type(layer) for layer in clone.layers] == [type(layer) for layer in original.layers]
        assert all(c is not o for c, o in zip(clone.weights, original.weights))
        assert len(clone.weights) == len(original.weights)
    clone = clone_model(functional)
    clone.set_weights([w * 2 for w in functional.get_weights()])
    xa, xb = data(seed=1), data(seed=2)
    numpy.testing.assert_allclose(clone([xa, xb]).numpy(), 2 * functional([xa, xb]).numpy(), rtol=1e-6)


def test_subclassed_model_build_creates_weights_from_a_shape():
    model = Subclassed()
    model.build((None, 4))
    assert model.built and [w.shape for w in model.weights] == [(4,), (4,), (4,), ()]
    assert model.weights[0].path == "subclassed/scale/kernel"


def test_to_json_and_model_from_json_round_trip_a_functional_model():
    from kerasish.models import model_from_json

    inputs = kerasish.Input((3,), name="x")
    model = Model(inputs, Total()(Scale()(inputs)), name="json_net")
    clone = model_from_json(model.to_json(), custom_objects=CUSTOM)
    assert isinstance(clone, Functional) and clone.name == "json_net"
    assert Model.from_config(model.get_config(), custom_objects=CUSTOM).name == "json_net"


def test_nested_model_config_round_trips():
    from kerasish.utils.object_serialization import deserialize_layer, serialize_layer

    inner = Sequential([kerasish.Input((3,)), Scale()], name="inner")
    x = kerasish.Input((3,))
    outer = Model(x, Total()(inner(x)), name="outer")
    clone = deserialize_layer(json.loads(json.dumps(serialize_layer(outer))), CUSTOM)
    assert isinstance(clone.get_layer("inner"), Sequential)
    clone.set_weights(outer.get_weights())
    values = data()
    numpy.testing.assert_allclose(clone(values).numpy(), outer(values).numpy(), rtol=1e-6)


def test_a_functional_call_lets_go_of_each_activation_after_its_last_use():
    import gc
    import weakref

    from kerasish.backends.dynamic import Tensor

    seen = {}

    def remember(x):
        y = x * 2.0
        seen["first"] = weakref.ref(y)
        return y

    def check(x):
        gc.collect()
        seen["alive_at_the_end"] = seen["first"]() is not None
        return x + 1.0

    inputs = kerasish.Input((4,))
    first = kerasish.layers.Lambda(remember)(inputs)
    second = kerasish.layers.Lambda(lambda x: x - 3.0)(first)
    outputs = kerasish.layers.Lambda(check)(second)
    model = kerasish.Model(inputs, outputs)
    result = model(Tensor(numpy.ones((2, 4), "float32")))
    numpy.testing.assert_allclose(result.numpy(), numpy.full((2, 4), 0.0))
    assert seen["alive_at_the_end"] is False
