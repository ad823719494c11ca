"""Fine-tune a pretrained ResNet: freeze the base, add a new head, fit on the bundled digits.

The 8x8 digits are upscaled to 32x32 RGB. Frozen BatchNormalization layers run in inference mode,
as in Keras. `--weights` takes "imagenet"/"torchvision" (downloaded once) or a local .pth/.h5 file.
"""

import argparse

import numpy

import kerasish as keras
from kerasish import layers
from kerasish.applications.imagenet_utils import preprocess_input


def images(x):
    x = numpy.repeat(numpy.repeat(x, 4, axis=1), 4, axis=2).astype("float32") * (255.0 / 16.0)
    return numpy.repeat(x[..., None], 3, axis=-1)


def main(weights="torchvision", epochs=3, samples=None, verbose="auto"):
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    if samples:
        x_train, y_train, x_test, y_test = x_train[:samples], y_train[:samples], x_test[:samples], y_test[:samples]
    base = keras.applications.ResNet18(weights=weights, include_top=False, input_shape=(32, 32, 3), pooling="avg")
    base.trainable = False
    mode = base.meta["preprocessing"]
    inputs = keras.Input(shape=(32, 32, 3))
    outputs = layers.Dense(10, activation="softmax")(base(inputs, training=False))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        preprocess_input(images(x_train), mode=mode), y_train, epochs=epochs, batch_size=32, verbose=verbose
    )
    loss, accuracy = model.evaluate(preprocess_input(images(x_test), mode=mode), y_test, verbose=0)
    print(f"test accuracy with a frozen ResNet18 base: {accuracy:.4f}")
    return model, history, accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", default="torchvision")
    parser.add_argument("--epochs", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.weights, arguments.epochs)
