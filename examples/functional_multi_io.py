"""A functional model with two inputs and two outputs, on the bundled digits.

Inputs: the image's top half and bottom half. Outputs: the digit (10 classes) and whether the
digit is even (binary). Losses and metrics are given per output, by name.
"""

import argparse

import kerasish as keras
from kerasish import layers


def main(epochs=20, verbose="auto"):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()

    def split(x, y):
        x = x.astype("float32") / 16.0
        inputs = {"top": x[:, :4].reshape(len(x), 32), "bottom": x[:, 4:].reshape(len(x), 32)}
        targets = {"digit": y, "even": (y % 2 == 0).astype("float32")[:, None]}
        return inputs, targets

    train_inputs, train_targets = split(x_train, y_train)
    test_inputs, test_targets = split(x_test, y_test)

    keras.utils.set_random_seed(0)
    top = keras.Input(shape=(32,), name="top")
    bottom = keras.Input(shape=(32,), name="bottom")
    shared = layers.Dense(32, activation="relu", name="shared_half_encoder")
    features = layers.Concatenate(name="halves")([shared(top), shared(bottom)])
    hidden = layers.Dense(64, activation="relu")(features)
    digit = layers.Dense(10, activation="softmax", name="digit")(hidden)
    even = layers.Dense(1, activation="sigmoid", name="even")(hidden)
    model = keras.Model(inputs={"top": top, "bottom": bottom}, outputs={"digit": digit, "even": even})
    model.compile(
        optimizer="adam",
        loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
        loss_weights={"digit": 1.0, "even": 0.5},
        metrics={"digit": ["accuracy"], "even": ["accuracy"]},
    )
    model.fit(train_inputs, train_targets, batch_size=32, epochs=epochs, verbose=verbose)
    results = model.evaluate(test_inputs, test_targets, verbose=0, return_dict=True)
    print("test:", {k: round(float(v), 4) for k, v in results.items()})
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    main(parser.parse_args().epochs)
