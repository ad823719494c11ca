"""kerasish's table and text preprocessing layers against real Keras: the committed cases of
tests/fixtures/make_preprocessing_fixtures.py (vocabularies after adapt, every output mode, hashes of
strings and integers with and without salt, adapted means, variances and bin boundaries)."""

import json
import pathlib

import numpy
import pytest

import kerasish as keras
from kerasish import layers

CASES_FILE = pathlib.Path(__file__).parents[2] / "fixtures" / "preprocessing" / "keras_cases.json"
FIXTURE = json.loads(CASES_FILE.read_text(encoding="utf-8"))
CASES = FIXTURE["cases"]


def _case_id(case):
    return f"{case['layer']}-" + "-".join(f"{k}={v}" for k, v in case["arguments"].items())[:80]


def _arguments(case):
    return {
        key: tuple(value) if key in ("ngrams", "axis") and isinstance(value, list) else value
        for key, value in case["arguments"].items()
    }


def _adapt_data(case):
    data = case.get("adapt")
    if isinstance(data, str):
        data = FIXTURE["arrays"][data]
    return data


def _array(value):
    array = numpy.asarray(value)
    return array.astype(object) if array.dtype.kind == "U" else array


def _layer(case):
    layer = getattr(layers, case["layer"])(**_arguments(case))
    data = _adapt_data(case)
    if data is not None:
        if case["layer"] in ("Normalization", "Discretization"):
            data = numpy.asarray(data, dtype="float32")
            size = case.get("adapt_in_batches_of")
            if size:
                data = [data[i : i + size] for i in range(0, len(data), size)]
        elif case["layer"] != "TextVectorization":
            data = _array(data)
        layer.adapt(data)
    return layer


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_matches_keras(case):
    layer = _layer(case)
    if case["layer"] == "HashedCrossing":
        output = layer(tuple(_array(x) for x in case["inputs"]))
    elif "count_weights" in case:
        output = layer(_array(case["inputs"]), count_weights=numpy.asarray(case["count_weights"], "float32"))
    else:
        output = layer(_array(case["inputs"]))
    expected = numpy.asarray(case["output"])
    output = numpy.asarray(output)
    assert output.shape == expected.shape
    if expected.dtype.kind == "f":
        numpy.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)
    else:
        numpy.testing.assert_array_equal(output, expected)
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]
    if "mean" in case:
        numpy.testing.assert_allclose(layer.adapt_mean.numpy(), case["mean"], rtol=1e-5, atol=1e-6)
        numpy.testing.assert_allclose(layer.adapt_variance.numpy(), case["variance"], rtol=1e-5, atol=1e-6)
    if "bin_boundaries" in case:
        numpy.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-6, atol=1e-6)


def test_the_fixture_covers_every_layer_and_output_mode():
    modes = {(case["layer"], case["arguments"].get("output_mode", "int")) for case in CASES}
    for layer in ("TextVectorization", "StringLookup", "IntegerLookup"):
        for mode in ("int", "multi_hot", "count", "tf_idf"):
            assert (layer, mode) in modes
    assert {case["layer"] for case in CASES} >= {
        "Normalization",
        "Discretization",
        "CategoryEncoding",
        "Hashing",
        "HashedCrossing",
    }


def test_loads_keras_saved_models_with_adapted_layers():
    """Keras wrote these files (vocabulary as an asset, mean and variance as weights); kerasish predicts
    what Keras predicted."""
    folder = CASES_FILE.parent
    expected = numpy.load(folder / "saved_models_expected.npz")
    text_model = keras.models.load_model(str(folder / "text_model.keras"))
    numpy.testing.assert_allclose(
        numpy.asarray(text_model(expected["texts"].astype(object))), expected["text_predictions"], rtol=1e-5, atol=1e-6
    )
    number_model = keras.models.load_model(str(folder / "normalization_model.keras"))
    numpy.testing.assert_allclose(
        number_model.predict(expected["numbers"], verbose=0), expected["number_predictions"], rtol=1e-5, atol=1e-6
    )
