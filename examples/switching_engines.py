"""One model, both engines, one process: train a copy on each and check they agree.

kerasish.utils.check_engines_agree runs the forward pass, the gradients and a few optimizer
steps on the dynamic tape and on the static graph from the same weights, and reports the
largest difference.
"""

import argparse

import kerasish as keras
from kerasish import layers


def build():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [keras.Input(shape=(64,)), layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax")]
    )


def main(epochs=5, verbose="auto"):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0

    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    report = keras.utils.check_engines_agree(model, x_train[:64], y_train[:64], steps=3)
    print(report)

    accuracies = {}
    for engine in ("dynamic", "static"):
        model = build()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], backend=engine)
        model.fit(x_train, y_train, epochs=epochs, shuffle=False, verbose=verbose)
        accuracies[engine] = model.evaluate(x_test, y_test, verbose=0)[1]
    print("test accuracy per engine:", accuracies)
    return accuracies


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    main(parser.parse_args().epochs)
