"""A keras.io-style tabular model (numeric features normalised by an adapted `Normalization`, a
categorical feature through `IntegerLookup` and `CategoryEncoding`), written with `import kerasish as
keras` exactly as the Keras code reads, trained on both engines."""

import numpy
import pytest

import kerasish as keras
from kerasish.utils import check_engines_agree


def make_data(rng, count=256):
    """Two numeric features on very different scales and a categorical one; the label depends on all three."""
    age = rng.uniform(20, 70, count)
    income = rng.lognormal(10, 0.5, count)
    group = rng.choice([3, 7, 11, 42], count)
    label = ((age - 45) / 15 + (numpy.log(income) - 10) * 2 + (group == 42) * 1.5 > 0.5).astype("float32")
    numeric = numpy.stack([age, income], axis=1).astype("float32")
    return numeric, group[:, None].astype("int64"), label


def build_model(numeric, groups):
    normalizer = keras.layers.Normalization()
    normalizer.adapt(numeric)
    lookup = keras.layers.IntegerLookup(output_mode="one_hot")
    lookup.adapt(groups)

    numeric_input = keras.Input(shape=(2,), name="numeric")
    group_input = keras.Input(shape=(1,), dtype="int64", name="group")
    x = keras.layers.concatenate([normalizer(numeric_input), lookup(group_input)])
    x = keras.layers.Dense(16, activation="relu")(x)
    output = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model({"numeric": numeric_input, "group": group_input}, output)


def test_tabular_model_trains_on_both_engines(engine):
    rng = numpy.random.default_rng(0)
    numeric, groups, label = make_data(rng)
    keras.utils.set_random_seed(0)
    model = build_model(numeric, groups)
    model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"], backend=engine
    )
    history = model.fit({"numeric": numeric, "group": groups}, label, epochs=8, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85
    predictions = model.predict({"numeric": numeric[:4], "group": groups[:4]}, verbose=0)
    assert predictions.shape == (4, 1)


def test_both_engines_give_the_same_predictions_from_the_same_weights():
    rng = numpy.random.default_rng(1)
    numeric, groups, label = make_data(rng, 64)
    keras.utils.set_random_seed(0)
    model = build_model(numeric, groups)
    data = {"numeric": numeric, "group": groups}
    results = {}
    for engine in ("dynamic", "static"):
        model.compile(optimizer="sgd", loss="binary_crossentropy", backend=engine)
        results[engine] = model.predict(data, verbose=0)
    numpy.testing.assert_allclose(results["dynamic"], results["static"], rtol=1e-5, atol=1e-6)
    assert check_engines_agree(model, data, label[:, None])["agree"]  # forward, gradients and three steps


@pytest.mark.parametrize("pipeline", ["data_loader", "generator"])
def test_normalization_in_a_numpy_batch_pipeline(pipeline):
    """The layer also runs on numpy batches in a data pipeline, before the model."""
    rng = numpy.random.default_rng(2)
    numeric, _, label = make_data(rng, 64)
    normalizer = keras.layers.Normalization()
    normalizer.adapt(numeric)
    batches = [(numpy.asarray(normalizer(numeric[i : i + 16])), label[i : i + 16]) for i in range(0, 64, 16)]
    data = keras.data.DataLoader(batches, batch_size=None) if pipeline == "data_loader" else iter(batches)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(data, epochs=1, verbose=0)
    standardized = numpy.concatenate([b[0] for b in batches])
    numpy.testing.assert_allclose(standardized.mean(axis=0), [0.0, 0.0], atol=1e-5)
    numpy.testing.assert_allclose(standardized.std(axis=0), [1.0, 1.0], rtol=1e-4)
