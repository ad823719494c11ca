"""StringLookup and IntegerLookup: vocabularies given, adapted or read from a file; mask and OOV
indices; invert; every output mode; config round trip; the vocabulary kept with a saved model; errors
worded as Keras's."""

import zipfile

import numpy
import pytest

import kerasish as keras
from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip

VOCABULARY = ["a", "b", "c", "d"]


def test_keras_docstring_examples():
    data = numpy.asarray([["a", "c", "d"], ["d", "z", "b"]])
    assert numpy.asarray(layers.StringLookup(vocabulary=VOCABULARY)(data)).tolist() == [[1, 3, 4], [4, 0, 2]]
    layer = layers.StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    two_oov = layers.StringLookup(vocabulary=VOCABULARY, num_oov_indices=2)
    # Keras's docstring says [5, 0, 3]; Keras itself (TensorFlow's Fingerprint64 of "z", mod 2) gives 1
    assert numpy.asarray(two_oov(data)).tolist() == [[2, 4, 5], [5, 1, 3]]
    masked = layers.StringLookup(vocabulary=VOCABULARY, mask_token="")
    assert numpy.asarray(masked(numpy.asarray([["a", "c", ""], ["", "z", "b"]]))).tolist() == [[2, 4, 0], [0, 1, 3]]
    integers = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    assert numpy.asarray(integers(numpy.asarray([[12, 1138, 42], [42, 1000, 36]]))).tolist() == [[1, 3, 4], [4, 0, 2]]


def test_invert_maps_indices_back_to_tokens():
    inverse = layers.StringLookup(vocabulary=VOCABULARY, invert=True)
    assert numpy.asarray(inverse(numpy.asarray([[1, 3, 4], [4, 0, 2]]))).tolist() == [
        ["a", "c", "d"],
        ["d", "[UNK]", "b"],
    ]
    integers = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    assert numpy.asarray(integers(numpy.asarray([[1, 3, 4], [4, 0, 2]]))).tolist() == [[12, 1138, 42], [42, -1, 36]]


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("one_hot", [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0], [1, 0, 0, 0, 0]]),
        ("multi_hot", [[1, 1, 0, 1, 0]]),
        ("count", [[1, 2, 0, 1, 0]]),
    ],
)
def test_encoded_output_modes(mode, expected):
    layer = layers.StringLookup(vocabulary=VOCABULARY, output_mode=mode)
    inputs = numpy.asarray(["a", "c", "z"]) if mode == "one_hot" else numpy.asarray([["a", "z", "c", "a"]])
    output = numpy.asarray(layer(inputs))
    assert output.tolist() == expected
    assert tuple(layer.compute_output_shape(inputs.shape)) == output.shape


def test_tf_idf_with_given_weights():
    layer = layers.StringLookup(output_mode="tf_idf", vocabulary=VOCABULARY, idf_weights=[0.25, 0.75, 0.6, 0.4])
    output = numpy.asarray(layer(numpy.asarray([["a", "c", "d", "d"], ["d", "z", "b", "z"]])))
    numpy.testing.assert_allclose(output, [[0.0, 0.25, 0.0, 0.6, 0.8], [1.0, 0.0, 0.75, 0.0, 0.4]], rtol=1e-6)


def test_bad_vocabularies_and_misuse_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="repeated term.*\\['a'\\]"):
        layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="Cannot set an empty vocabulary"):
        layers.StringLookup(vocabulary=[])
    with pytest.raises(ValueError, match="reserved mask token at unexpected location.*index 2"):
        layers.StringLookup(vocabulary=["a", "b", ""], mask_token="")
    with pytest.raises(ValueError, match="reserved OOV token at unexpected location"):
        layers.StringLookup(vocabulary=["a", "[UNK]"], invert=True)
    with pytest.raises(ValueError, match="larger than the maximum vocab size"):
        layers.StringLookup(vocabulary=VOCABULARY, max_tokens=3)
    with pytest.raises(ValueError, match="`output_mode` must be `'int'` when `invert` is true"):
        layers.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match="`idf_weights` should only be set"):
        layers.StringLookup(vocabulary=VOCABULARY, idf_weights=[1.0] * 4)
    with pytest.raises(ValueError, match="`output_mode`.*'bits'"):
        layers.IntegerLookup(output_mode="bits")
    strict = layers.StringLookup(vocabulary=VOCABULARY, num_oov_indices=0)
    with pytest.raises(ValueError, match="StringLookup.*num_oov_indices=0.*'z'"):
        strict(numpy.asarray(["a", "z"]))
    with pytest.raises(ValueError, match="StringLookup.*empty iterable"):
        layers.StringLookup().adapt(iter([]))
    with pytest.raises(ValueError, match="`salt` can only be used when `oov_method='farmhash'`"):
        layers.IntegerLookup(salt=3)
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary before calling it"):
        layers.StringLookup(output_mode="multi_hot")(numpy.asarray([["a"]]))


def test_vocabulary_file_and_the_safe_mode_refusal(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_text("a\nb\nc\n", encoding="utf-8")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    assert numpy.asarray(layer(numpy.asarray(["c", "q"]))).tolist() == [3, 0]
    config = {**layer.get_config(), "vocabulary": str(path)}
    with pytest.raises(ValueError, match="vocabulary file outside of the model archive"):
        layers.StringLookup.from_config(config)
    with pytest.raises(ValueError, match="does not exist"):
        layers.StringLookup(vocabulary=str(tmp_path / "missing.txt"))


def test_integer_oov_indices_use_floormod_or_farmhash():
    floormod = layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=3)
    assert numpy.asarray(floormod(numpy.asarray([7, 8, -1, 2]))).tolist() == [1, 2, 2, 4]  # -1 floormod 3 is 2
    hashed = layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=3, oov_method="farmhash")
    assert set(numpy.asarray(hashed(numpy.asarray([7, 8, 9, 10, 11]))).tolist()) <= {0, 1, 2}


def test_config_round_trip_with_a_given_vocabulary():
    layer = layers.StringLookup(vocabulary=VOCABULARY, num_oov_indices=2, mask_token="")
    check_config_round_trip(layer, numpy.asarray([["a", "z", ""]]))
    integers = layers.IntegerLookup(vocabulary=[5, 6], output_mode="count")
    check_config_round_trip(integers, numpy.asarray([[5, 5, 7]]))


@pytest.mark.parametrize("mode", ["int", "count", "tf_idf"])
def test_adapted_vocabulary_comes_back_with_a_saved_model(mode, tmp_path):
    tokens = numpy.asarray([["x", "y", "x"], ["y", "z", "x"]])
    lookup = layers.StringLookup(output_mode=mode)
    lookup.adapt(tokens)
    inputs = keras.Input(shape=(3,), dtype="string")
    model = keras.Model(inputs, lookup(inputs))
    expected = numpy.asarray(model(tokens))
    path = str(tmp_path / "lookup.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[-1].get_vocabulary() == lookup.get_vocabulary()
    numpy.testing.assert_allclose(numpy.asarray(loaded(tokens)), expected, rtol=1e-6)


def test_integer_lookup_inside_a_model_on_both_engines(engine):
    lookup = layers.IntegerLookup(output_mode="multi_hot")
    values = numpy.asarray([[3, 5], [5, 9], [9, 3], [3, 3]], dtype="int64")
    lookup.adapt(values)
    inputs = keras.Input(shape=(2,), dtype="int64")
    model = keras.Model(inputs, layers.Dense(1)(lookup(inputs)))
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    history = model.fit(values, numpy.ones((4, 1), "float32"), epochs=2, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()
    numpy.testing.assert_allclose(model.predict(values, verbose=0), numpy.asarray(model(values)), rtol=1e-6)


def test_assets_sit_where_keras_puts_them_and_a_bad_vocabulary_asset_is_refused(tmp_path):
    lookup = layers.StringLookup()
    lookup.adapt(numpy.asarray([["x", "y", "x"]]))
    inputs = keras.Input(shape=(3,), dtype="string")
    path = tmp_path / "lookup.keras"
    keras.Model(inputs, lookup(inputs)).save(str(path))
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert members["assets/layers/string_lookup/vocabulary.txt"].decode() == "[UNK]\nx\ny"
    members["assets/layers/string_lookup/vocabulary.txt"] = b"[UNK]\nx\nx"
    tampered = tmp_path / "tampered.keras"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="repeated term"):
        keras.models.load_model(str(tampered))
