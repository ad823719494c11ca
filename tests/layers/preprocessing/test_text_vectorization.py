"""TextVectorization: the steps (standardize, split, n-grams, lookup), output shapes and
compute_output_shape, config round trip, the vocabulary kept with a saved model, string input to a model
in fit/evaluate/predict on both engines (the layer runs on the host in the data pipeline), and in
DataLoader/PyDataset/generator pipelines."""

import numpy
import pytest

import kerasish as keras
from kerasish import layers
from kerasish.utils import check_engines_agree
from kerasish.utils.py_dataset import PyDataset

CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; a bird?", "the END"]
LABELS = numpy.asarray([1, 0, 1, 0], dtype="float32")


def _adapted(**kwargs):
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(CORPUS)
    return layer


def test_vocabulary_is_by_frequency_then_token_descending():
    layer = _adapted()
    assert layer.get_vocabulary()[:2] == ["", "[UNK]"]
    assert layer.get_vocabulary()[2:5] == ["the", "a", "dog"]  # 4, 3, then 2-way tie cat/dog: larger first
    assert layer.vocabulary_size() == len(layer.get_vocabulary())
    assert layer.get_vocabulary(include_special_tokens=False)[0] == "the"


@pytest.mark.parametrize(
    "kwargs, input_shape, expected",
    [
        ({"output_sequence_length": 5}, (3,), (3, 5)),
        ({"output_sequence_length": 7}, (3, 1), (3, 7)),
        ({"output_mode": "multi_hot"}, (3,), (3, 13)),  # 12 words and [UNK]
        ({"output_mode": "count", "max_tokens": 6}, (3, 1), (3, 6)),
        ({"output_mode": "tf_idf", "max_tokens": 20, "pad_to_max_tokens": True}, (3,), (3, 20)),
    ],
)
def test_output_shapes_and_compute_output_shape(kwargs, input_shape, expected):
    layer = _adapted(**kwargs)
    inputs = numpy.asarray(CORPUS[:3], dtype=object).reshape(input_shape)
    output = numpy.asarray(layer(inputs))
    assert output.shape == expected
    computed = layer.compute_output_shape((None,) + input_shape[1:])
    assert tuple(computed[1:]) == expected[1:]


def test_int_output_pads_and_truncates_with_index_zero():
    layer = _adapted(output_sequence_length=3)
    vocabulary = layer.get_vocabulary()
    output = numpy.asarray(layer(numpy.asarray(["the cat", "the dog ate my homework", "zebra"])))
    index = {token: i for i, token in enumerate(vocabulary)}
    assert output.tolist() == [
        [index["the"], index["cat"], 0],
        [index["the"], index["dog"], index["ate"]],
        [1, 0, 0],
    ]


def test_callable_standardize_and_split():
    def keep_case(strings):
        return strings

    def split_on_commas(strings):
        return [s.split(",") for s in strings.tolist()]

    layer = layers.TextVectorization(standardize=keep_case, split=split_on_commas, output_sequence_length=2)
    layer.adapt(["A,b", "A,c", "A"])
    assert layer.get_vocabulary() == ["", "[UNK]", "A", "c", "b"]
    assert numpy.asarray(layer(["A,b"])).tolist() == [[2, 4]]


def test_set_vocabulary_and_errors():
    layer = layers.TextVectorization(output_sequence_length=2)
    layer.set_vocabulary(["one", "two"])
    assert numpy.asarray(layer(["two one three"])).tolist() == [[3, 2]]
    with pytest.raises(ValueError, match="repeated term.*'one'"):
        layer.set_vocabulary(["one", "two", "one"])
    layer.adapt(CORPUS)  # as in Keras, set_vocabulary does not forbid a later adapt
    assert "cat" in layer.get_vocabulary()
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layers.TextVectorization(vocabulary=["one"]).adapt(CORPUS)
    with pytest.raises(ValueError, match=r"TextVectorization.*adapt\(\) received an empty batch of shape \(0,\)"):
        layers.TextVectorization().adapt([])
    with pytest.raises(ValueError, match="output_sequence_length` must not be set"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="`standardize`.*'upper'"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        _adapted()(numpy.asarray([["a", "b"]]))


def test_config_round_trip():
    layer = _adapted(max_tokens=10, ngrams=2, output_sequence_length=4)
    config = layer.get_config()
    clone = layers.TextVectorization.from_config(config)
    assert {k: v for k, v in clone.get_config().items() if k != "vocabulary_size"} == {
        k: v for k, v in config.items() if k != "vocabulary_size"
    }
    assert clone.get_vocabulary() == ["", "[UNK]"]  # an adapted vocabulary travels as an asset, not in the config
    given = layers.TextVectorization(vocabulary=["a", "b"], output_sequence_length=2)
    rebuilt = layers.TextVectorization.from_config(given.get_config())
    assert rebuilt.get_vocabulary() == given.get_vocabulary()
    assert numpy.asarray(rebuilt(["b a"])).tolist() == [[3, 2]]


def _text_model(vectorizer):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=(1,), dtype="string"),
            vectorizer,
            layers.Embedding(vectorizer.vocabulary_size(), 4),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def test_vocabulary_and_idf_come_back_with_a_saved_model(tmp_path):
    vectorizer = _adapted(output_sequence_length=6)
    model = _text_model(vectorizer)
    texts = numpy.asarray(CORPUS)[:, None]
    expected = numpy.asarray(model(texts))
    path = str(tmp_path / "text.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[0].get_vocabulary() == vectorizer.get_vocabulary()
    numpy.testing.assert_allclose(numpy.asarray(loaded(texts)), expected, rtol=1e-6)

    tf_idf = _adapted(output_mode="tf_idf")
    inputs = keras.Input(shape=(1,), dtype="string")
    model = keras.Model(inputs, tf_idf(inputs))
    expected = numpy.asarray(model(texts))
    model.save(path)
    loaded = keras.models.load_model(path)
    numpy.testing.assert_allclose(numpy.asarray(loaded(texts)), expected, rtol=1e-6)


def test_a_model_with_string_input_trains_on_both_engines(engine):
    model = _text_model(_adapted(output_sequence_length=6))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", backend=engine)
    texts = numpy.asarray(CORPUS * 4)[:, None]
    labels = numpy.tile(LABELS, 4)
    history = model.fit(texts, labels, batch_size=4, epochs=5, verbose=0, validation_data=(texts, labels))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(texts[:3], verbose=0).shape == (3, 1)
    assert numpy.isfinite(model.evaluate(texts, labels, verbose=0))
    assert numpy.isfinite(model.train_on_batch(texts[:4], labels[:4]))


def test_engines_agree_on_a_model_with_string_input():
    model = _text_model(_adapted(output_sequence_length=6))
    texts = numpy.asarray(CORPUS)[:, None]
    predictions = {}
    for engine in ("dynamic", "static"):
        model.compile(optimizer="sgd", loss="binary_crossentropy", backend=engine)
        predictions[engine] = model.predict(texts, verbose=0)
    numpy.testing.assert_allclose(predictions["dynamic"], predictions["static"], rtol=1e-6, atol=1e-7)
    numpy.testing.assert_allclose(predictions["dynamic"], numpy.asarray(model(texts)), rtol=1e-6, atol=1e-7)
    report = check_engines_agree(model, texts, LABELS)  # forward, gradients and three steps
    assert report["agree"]


class TextBatches(PyDataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        return numpy.asarray(CORPUS[2 * index : 2 * index + 2])[:, None], LABELS[2 * index : 2 * index + 2]


@pytest.mark.parametrize("source", ["py_dataset", "data_loader", "generator"])
def test_fit_on_string_batches_from_a_pipeline(source, engine):
    model = _text_model(_adapted(output_sequence_length=6))
    model.compile(optimizer="adam", loss="binary_crossentropy", backend=engine)
    batches = [TextBatches()[i] for i in range(2)]
    data = {
        "py_dataset": TextBatches(),
        "data_loader": keras.data.DataLoader(TextBatches(), batch_size=None),
        "generator": iter(batches),
    }[source]
    history = model.fit(data, epochs=1, verbose=0)
    assert numpy.isfinite(history.history["loss"][0])


def test_the_layer_maps_numpy_batches_in_a_pipeline():
    vectorizer = _adapted(output_sequence_length=4)
    loader = keras.data.DataLoader(TextBatches(), batch_size=None)
    encoded = [numpy.asarray(vectorizer(x)) for x, _ in loader]
    assert [e.shape for e in encoded] == [(2, 4), (2, 4)]
    assert encoded[0].dtype == numpy.int64


def test_the_layer_inside_a_traced_step_without_the_pipeline_is_a_clear_error():
    vectorizer = _adapted(output_sequence_length=4)
    traced = keras.function(lambda x: vectorizer(x), engine="static") if hasattr(keras, "function") else None
    if traced is None:
        pytest.skip("kerasish.function is not available")
    with pytest.raises(ValueError, match="TextVectorization.*computes on the host"):
        traced(numpy.zeros((2, 1), "float32"))
