"""FeatureSpace: encodings by their definition (normalization, lookups one-hot, hashing, crosses), dict
and concat outputs, adapt from a dict or a dataset, symbolic inputs for an end-to-end model (both
engines), the config round trip and errors. (Keras's FeatureSpace needs TensorFlow, so it is not run
here.)"""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.utils import FeatureSpace, PyDataset

DATA = {
    "age": numpy.array([20.0, 30.0, 40.0, 50.0, 60.0, 70.0], "float32"),
    "city": numpy.array(["paris", "rome", "paris", "oslo", "rome", "paris"]),
    "rooms": numpy.array([1, 2, 3, 1, 2, 1]),
    "tag": numpy.array(["x", "y", "x", "y", "z", "x"]),
}


def feature_space(**arguments):
    space = FeatureSpace(
        {
            "age": "float_normalized",
            "city": "string_categorical",
            "rooms": "integer_categorical",
            "tag": FeatureSpace.string_hashed(num_bins=4),
        },
        crosses=[("city", "rooms")],
        crossing_dim=8,
        **arguments,
    )
    space.adapt(DATA)
    return space


def test_concat_is_each_encoding_in_sorted_order_then_the_crosses():
    space = feature_space()
    encoded = numpy.asarray(space(DATA))
    age = (DATA["age"] - DATA["age"].mean()) / DATA["age"].std()
    city = layers.StringLookup(vocabulary=None)
    city.adapt(DATA["city"][:, None])
    rooms = layers.IntegerLookup()
    rooms.adapt(DATA["rooms"][:, None])
    city_index = numpy.asarray(city(DATA["city"][:, None]))[:, 0]
    rooms_index = numpy.asarray(rooms(DATA["rooms"][:, None]))[:, 0]
    tag_index = numpy.asarray(layers.Hashing(num_bins=4)(DATA["tag"][:, None].astype(object)))[:, 0]
    cross_index = numpy.asarray(layers.HashedCrossing(8)([city_index[:, None], rooms_index[:, None]]))[:, 0]
    expected = numpy.concatenate(
        [
            age[:, None],
            numpy.eye(city.vocabulary_size())[city_index],
            numpy.eye(rooms.vocabulary_size())[rooms_index],
            numpy.eye(4)[tag_index],
            numpy.eye(8)[cross_index],
        ],
        axis=1,
    )
    assert encoded.shape == (6, 1 + 4 + 4 + 4 + 8) and encoded.dtype == numpy.float32
    numpy.testing.assert_allclose(encoded, expected, rtol=1e-5, atol=1e-5)


def test_dict_output_and_a_single_sample_of_scalars():
    space = feature_space(output_mode="dict")
    encoded = space(DATA)
    assert sorted(encoded) == ["age", "city", "city_X_rooms", "rooms", "tag"]
    assert tuple(encoded["city"].shape) == (6, 4) and tuple(encoded["city_X_rooms"].shape) == (6, 8)
    one = feature_space()({"age": 30.0, "city": "rome", "rooms": 2, "tag": "y"})
    numpy.testing.assert_allclose(numpy.asarray(one), numpy.asarray(feature_space()(DATA))[1], rtol=1e-5)


def test_adapt_from_a_dataset_of_dict_batches():
    class Batches(PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            rows = slice(index * 3, index * 3 + 3)
            return {name: values[rows] for name, values in DATA.items()}

    space = FeatureSpace({"age": "float_normalized", "city": "string_categorical"})
    space.adapt(Batches())
    numpy.testing.assert_allclose(numpy.asarray(feature_space()(DATA))[:, :5], numpy.asarray(space(DATA)), rtol=1e-5)


def test_discretized_rescaled_and_int_features():
    space = FeatureSpace(
        {
            "age": FeatureSpace.float_discretized(num_bins=None, bin_boundaries=[35.0, 55.0]),
            "scaled": FeatureSpace.float_rescaled(scale=0.5, offset=1.0),
            "rooms": FeatureSpace.integer_categorical(output_mode="int"),
        },
        output_mode="dict",
    )
    space.adapt({"age": DATA["age"], "scaled": DATA["age"], "rooms": DATA["rooms"]})
    encoded = space({"age": DATA["age"], "scaled": DATA["age"], "rooms": DATA["rooms"]})
    numpy.testing.assert_array_equal(numpy.asarray(encoded["age"]).argmax(axis=1), [0, 0, 1, 1, 2, 2])
    numpy.testing.assert_allclose(numpy.asarray(encoded["scaled"])[:, 0], DATA["age"] * 0.5 + 1.0)
    assert numpy.asarray(encoded["rooms"]).dtype.kind == "i"


def test_an_end_to_end_model_on_the_raw_columns(engine):
    space = feature_space()
    model = kerasish.Model(space.get_inputs(), layers.Dense(1)(space.get_encoded_features()))
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    columns = {name: values[:, None] for name, values in DATA.items()}
    if engine == "static":
        # the crossing hashes on the host after other host layers: the static engine refuses it clearly
        with pytest.raises(ValueError, match="HashedCrossing 'city_X_rooms' computes on the host"):
            model.fit(columns, numpy.arange(6, dtype="float32"), epochs=1, verbose=0)
        return
    history = model.fit(columns, numpy.arange(6, dtype="float32"), epochs=2, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()
    # the model computes what the FeatureSpace computes, then the Dense layer
    dense = model.layers[-1]
    expected = numpy.asarray(space(DATA)) @ dense.kernel.numpy() + dense.bias.numpy()
    numpy.testing.assert_allclose(model.predict(columns, verbose=0), expected, rtol=1e-4, atol=1e-5)


def test_an_end_to_end_model_without_crosses(engine):
    space = FeatureSpace({"age": "float_normalized", "city": "string_categorical", "rooms": "integer_categorical"})
    space.adapt(DATA)
    model = kerasish.Model(space.get_inputs(), layers.Dense(1)(space.get_encoded_features()))
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    columns = {name: values[:, None] for name, values in DATA.items() if name != "tag"}
    model.fit(columns, numpy.arange(6, dtype="float32"), epochs=1, verbose=0)
    dense = model.layers[-1]
    expected = numpy.asarray(space(DATA)) @ dense.kernel.numpy() + dense.bias.numpy()
    numpy.testing.assert_allclose(model.predict(columns, verbose=0), expected, rtol=1e-4, atol=1e-5)


def test_training_on_encoded_batches(engine):
    space = feature_space()
    model = kerasish.Sequential([kerasish.Input((21,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    history = model.fit(numpy.asarray(space(DATA)), numpy.arange(6, dtype="float32"), epochs=1, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()


def test_config_round_trip():
    space = feature_space()
    restored = FeatureSpace.from_config(space.get_config())
    assert restored.get_config() == space.get_config()
    assert [cross.name for cross in restored.crosses] == ["city_X_rooms"]
    assert isinstance(restored.preprocessors["city"], layers.StringLookup)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"features": {}}, "cannot be None or empty"),
        ({"features": {"a": "float"}, "output_mode": "list"}, "Received: output_mode=list"),
        ({"features": {"a": "floating"}}, "Invalid feature type: floating"),
        ({"features": {"a": "float"}, "crosses": [("a", "b")]}, "Received unknown features: \\('a', 'b'\\)"),
        ({"features": {"a": "float"}, "crosses": [("a", "a")], "crossing_dim": 0}, "`crossing_dim`"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        FeatureSpace(**arguments)


def test_use_before_adapt_and_bad_calls():
    space = FeatureSpace({"city": "string_categorical"})
    with pytest.raises(ValueError, match="call `.adapt\\(dataset\\)`"):
        space({"city": DATA["city"]})
    space.adapt({"city": DATA["city"]})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        space(DATA["city"])
    with pytest.raises(ValueError, match="lacks the column\\(s\\) \\['city'\\]"):
        space({"town": DATA["city"]})
    with pytest.raises(ValueError, match="has not been encoded"):
        FeatureSpace({"rooms": FeatureSpace.integer_hashed(4, output_mode="int")})({"rooms": DATA["rooms"]})
    with pytest.raises(ValueError, match="`adapt\\(\\)` can only be called"):
        space.adapt(3)
    with pytest.raises(ValueError, match="Invalid value for argument `output_mode`"):
        FeatureSpace.cross(["a", "b"], 4, output_mode="float")
