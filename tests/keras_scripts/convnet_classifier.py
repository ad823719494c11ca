"""keras.io, "Simple MNIST convnet", at a small size on generated 12x12 images: Conv2D, MaxPooling2D,
Flatten, Dropout and Dense in a Sequential model, trained with categorical cross-entropy and accuracy."""

import json

import numpy

import kerasish as keras
from kerasish import layers

num_classes = 3
input_shape = (12, 12, 1)
rng = numpy.random.default_rng(0)

# Each class draws a bright bar in a different place.
labels = rng.integers(0, num_classes, 96)
images = rng.random((96, 12, 12, 1)).astype("float32") * 0.2
for image, label in zip(images, labels):
    image[2 + 3 * label : 4 + 3 * label, :, 0] += 1.0
y = keras.utils.to_categorical(labels, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.0),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"])
history = model.fit(images, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
score = model.evaluate(images, y, verbose=0)
print(
    json.dumps(
        {
            "loss": history.history["loss"],
            "accuracy": history.history["accuracy"],
            "test": score,
            "parameters": model.count_params(),
            "output_shape": list(model.output_shape),
        }
    )
)
