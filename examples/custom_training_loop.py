"""A hand-written training loop: GradientTape + optimizer.apply, compiled with kerasish.function.

The same step runs on both engines: on the static engine kerasish.function traces it once into a
graph (forward, gradients and the optimizer update) and replays it; on the dynamic one it just runs.
"""

import argparse

import numpy

import kerasish as keras
from kerasish import layers, ops


def main(epochs=10, engine=None):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,)), layers.Dense(64, activation="relu"), layers.Dense(10)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(1e-3)

    @keras.function(engine=engine)
    def train_step(x, y):
        with keras.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        return loss

    batch_size = 32
    order = numpy.random.default_rng(0)
    for epoch in range(epochs):
        permutation = order.permutation(len(x_train))
        losses = []
        for start in range(0, len(x_train) - batch_size + 1, batch_size):
            index = permutation[start : start + batch_size]
            losses.append(float(numpy.asarray(train_step(x_train[index], y_train[index]))))
        print(f"epoch {epoch + 1}: loss {numpy.mean(losses):.4f}")
    predictions = numpy.asarray(ops.argmax(model(x_test), axis=-1))
    accuracy = float((predictions == y_test).mean())
    print(f"test accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--engine", choices=["dynamic", "static"], default=None)
    arguments = parser.parse_args()
    main(arguments.epochs, arguments.engine)
