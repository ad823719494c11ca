"""Quickstart: an MLP on the bundled UCI handwritten digits (8x8 images, 10 classes).

Train, evaluate, save to a .keras file, load it back and check it predicts the same.
Run it on the other engine with KERASISH_BACKEND=static python examples/quickstart.py
"""

import argparse
import os
import tempfile

import numpy

import kerasish as keras
from kerasish import layers


def main(epochs=30, verbose="auto"):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.1),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f}) on the {keras.backend.backend()} engine")

    path = os.path.join(tempfile.mkdtemp(), "digits_mlp.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    same = numpy.allclose(restored.predict(x_test, verbose=0), model.predict(x_test, verbose=0), atol=1e-6)
    print(f"saved to {path}; reloaded model predicts the same: {same}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    main(parser.parse_args().epochs)
