"""The trainer with kerasish's own layers: state updates (BatchNormalization, Dropout seeds) on both engines."""

import numpy

import kerasish
from kerasish import layers
from kerasish.utils.engine_parity import check_engines_agree
from kerasish.utils.naming import reset_names


def classifier():
    reset_names()
    kerasish.utils.set_random_seed(0)
    inputs = kerasish.Input((8,))
    hidden = layers.Dropout(0.3, seed=1)(layers.BatchNormalization()(layers.Dense(16, activation="relu")(inputs)))
    return kerasish.Model(inputs, layers.Dense(3, activation="softmax")(hidden))


def data():
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)


def test_fit_updates_batch_norm_statistics_and_predict_does_not(engine):
    model = classifier()
    model.compile(
        optimizer=kerasish.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        backend=engine,
    )
    x, y = data()
    moving_mean = model.get_layer("batch_normalization").moving_mean
    history = model.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    trained = moving_mean.numpy()
    assert numpy.abs(trained).sum() > 0
    model.predict(x, verbose=0)
    numpy.testing.assert_array_equal(moving_mean.numpy(), trained)


def test_engines_agree_with_dropout_and_batch_norm():
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = data()
    report = check_engines_agree(model, x[:16], y[:16], steps=3)
    assert report["agree"]
