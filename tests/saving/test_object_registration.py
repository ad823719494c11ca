"""One object registry and one (de)serialization module: custom activations, layers, losses and metrics
load through every Keras route (load_model, Model.from_config, model_from_json, clone_model), on both
engines, registered with the decorator or passed as custom_objects / inside custom_object_scope."""

import numpy
import pytest

import kerasish
from kerasish import activations, layers, losses, metrics, models, ops, saving, utils


@saving.register_keras_serializable(package="routes")
def scaled_tanh(x):
    return ops.tanh(x) * 2.0


@saving.register_keras_serializable(package="routes")
class Offset(layers.Layer):
    def __init__(self, offset=1.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", name="bias")

    def call(self, x):
        return x + self.bias + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


@saving.register_keras_serializable(package="routes")
class HalfSquaredError(losses.Loss):
    def call(self, y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1) / 2.0


@saving.register_keras_serializable(package="routes")
def mean_error(y_true, y_pred):
    return ops.mean(y_pred - y_true, axis=-1)


class Unregistered(Offset):
    """Known to loading only through custom_objects or a custom_object_scope."""


def data():
    rng = numpy.random.default_rng(0)
    return rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")


def custom_model(engine, offset_class=Offset):
    inputs = layers.Input(shape=(4,))
    hidden = layers.Dense(3, activation=scaled_tanh, name="hidden")(inputs)
    outputs = layers.Dense(1, name="out")(offset_class(offset=0.5, name="offset")(hidden))
    model = kerasish.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss=HalfSquaredError(), metrics=[mean_error], backend=engine)
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return model


def assert_same_model(copy, model, offset_class=Offset, same_weights=True):
    assert type(copy.get_layer("offset")) is offset_class
    assert copy.get_layer("offset").offset == 0.5
    assert copy.get_layer("hidden").activation is scaled_tanh
    if not same_weights:
        copy.set_weights(model.get_weights())
    x, _ = data()
    numpy.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_load_model_restores_a_registered_activation_layer_loss_and_metric(tmp_path, engine):
    model = custom_model(engine)
    model.save(tmp_path / "custom.keras")
    loaded = saving.load_model(tmp_path / "custom.keras")
    assert_same_model(loaded, model)
    assert isinstance(loaded.loss, HalfSquaredError)
    x, y = data()
    numpy.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-5)


def test_model_from_config_finds_registered_objects(engine):
    model = custom_model(engine)
    assert_same_model(kerasish.Model.from_config(model.get_config()), model, same_weights=False)


def test_model_from_json_finds_registered_objects(engine):
    model = custom_model(engine)
    assert_same_model(models.model_from_json(model.to_json()), model, same_weights=False)


def test_clone_model_keeps_registered_objects(engine):
    model = custom_model(engine)
    assert_same_model(models.clone_model(model), model, same_weights=False)


def test_unregistered_class_loads_through_custom_objects(tmp_path, engine):
    model = custom_model(engine, Unregistered)
    model.save(tmp_path / "custom.keras")
    custom = {"Unregistered": Unregistered}
    assert_same_model(saving.load_model(tmp_path / "custom.keras", custom_objects=custom), model, Unregistered)
    assert_same_model(
        kerasish.Model.from_config(model.get_config(), custom_objects=custom), model, Unregistered, same_weights=False
    )
    assert_same_model(
        models.model_from_json(model.to_json(), custom_objects=custom), model, Unregistered, same_weights=False
    )


@pytest.mark.parametrize("scope", [saving.custom_object_scope, utils.custom_object_scope, saving.CustomObjectScope])
def test_unregistered_class_loads_inside_a_custom_object_scope(tmp_path, scope):
    model = custom_model("dynamic", Unregistered)
    model.save(tmp_path / "custom.keras")
    with scope({"Unregistered": Unregistered}):
        assert_same_model(saving.load_model(tmp_path / "custom.keras"), model, Unregistered)
        assert_same_model(models.model_from_json(model.to_json()), model, Unregistered, same_weights=False)


def test_a_missing_custom_class_is_named_with_how_to_register_it(tmp_path):
    model = custom_model("dynamic", Unregistered)
    model.save(tmp_path / "custom.keras")
    for load in (
        lambda: saving.load_model(tmp_path / "custom.keras"),
        lambda: kerasish.Model.from_config(model.get_config()),
        lambda: models.model_from_json(model.to_json()),
    ):
        with pytest.raises(ValueError, match=r"'Unregistered'.*register_keras_serializable.*custom_objects"):
            load()


@pytest.mark.parametrize("deserialize", [losses.deserialize, metrics.deserialize, activations.deserialize])
def test_a_missing_custom_function_is_named_with_how_to_register_it(deserialize):
    config = {"module": "somewhere", "class_name": "function", "config": "not_registered_anywhere"}
    with pytest.raises(ValueError, match=r"'not_registered_anywhere'.*register_keras_serializable"):
        deserialize({**config, "registered_name": "function"})


def test_registered_names_and_the_keras_serialized_form():
    assert saving.get_registered_name(Offset) == "routes>Offset"
    assert saving.get_registered_name(Unregistered) == "Unregistered"
    assert saving.get_registered_object("routes>Offset") is Offset
    assert saving.get_registered_object("Unregistered", custom_objects={"Unregistered": Unregistered}) is Unregistered
    assert saving.get_registered_object("nothing_by_this_name") is None
    layer = Offset(offset=2.0, name="o")
    layer.build((None, 3))
    config = saving.serialize_keras_object(layer)
    assert (config["class_name"], config["registered_name"], config["config"]["offset"]) == (
        "Offset",
        "routes>Offset",
        2.0,
    )
    restored = saving.deserialize_keras_object(config)
    assert type(restored) is Offset and restored.offset == 2.0 and restored.built
    function_config = saving.serialize_keras_object(scaled_tanh)
    assert function_config["class_name"] == "function" and function_config["config"] == "routes>scaled_tanh"
    assert saving.deserialize_keras_object(function_config) is scaled_tanh
    dense = saving.deserialize_keras_object(saving.serialize_keras_object(layers.Dense(2, activation="relu")))
    assert type(dense) is layers.Dense and dense.units == 2


def test_utils_and_saving_expose_the_same_registry():
    for name in (
        "register_keras_serializable",
        "custom_object_scope",
        "CustomObjectScope",
        "get_custom_objects",
        "get_registered_name",
        "get_registered_object",
        "serialize_keras_object",
        "deserialize_keras_object",
    ):
        assert getattr(utils, name) is getattr(saving, name)
    assert saving.get_custom_objects()["routes>mean_error"] is mean_error


def test_a_registered_object_never_stands_in_for_a_built_in_of_the_same_bare_name():
    @saving.register_keras_serializable(package="shadowing")
    class Dense(layers.Dense):
        pass

    @saving.register_keras_serializable(package="shadowing")
    def relu(x):
        return x * 0

    assert kerasish.activations.get("relu") is kerasish.activations.relu
    built_in = saving.deserialize_keras_object(saving.serialize_keras_object(layers.Dense(3)))
    assert type(built_in) is layers.Dense
    registered = saving.deserialize_keras_object(saving.serialize_keras_object(Dense(3)))
    assert type(registered) is Dense


def test_plain_strings_deserialize_as_themselves_unless_custom_objects_name_them():
    assert saving.deserialize_keras_object("hello") == "hello"
    assert saving.deserialize_keras_object({"name": "x", "units": 3}) == {"name": "x", "units": 3}
    assert saving.deserialize_keras_object("scaled_tanh", custom_objects={"scaled_tanh": scaled_tanh}) is scaled_tanh
