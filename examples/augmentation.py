"""Data augmentation inside the model: a CNN on the bundled digits (8x8x1, upsampled to 16x16) trained with
random rotations, translations, zooms and contrast changes. The augmentation layers act only in training
(`fit`); `evaluate` and `predict` see the images as they are."""

import argparse

import kerasish as keras
from kerasish import layers


def main(epochs=30, engine=None, verbose="auto"):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train[..., None].astype("float32") / 16.0
    x_test = x_test[..., None].astype("float32") / 16.0

    keras.utils.set_random_seed(0)
    augmentation = keras.Sequential(
        [
            layers.RandomRotation(0.04, fill_mode="constant", seed=1),
            layers.RandomTranslation(0.08, 0.08, fill_mode="constant", seed=2),
            layers.RandomZoom(0.1, fill_mode="constant", seed=3),
            layers.RandomContrast(0.2, value_range=(0, 1), seed=4),
        ],
        name="augmentation",
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Resizing(16, 16),
            augmentation,
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], backend=engine)
    model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.1, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f})")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--engine", choices=["dynamic", "static"], default=None)
    arguments = parser.parse_args()
    main(arguments.epochs, arguments.engine)
