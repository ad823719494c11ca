"""keras.io, "Image classification from scratch" at toy scale: a directory of images, one sub-folder per class,
read with `keras.utils.image_dataset_from_directory` (resized, batched, labels from the folder names, no
shuffling so the order is fixed), then a small convnet with `Rescaling` trained on the dataset. The images are
written first with `keras.utils.save_img` from a seeded numpy generator."""

import json
import os

import numpy

import kerasish as keras
from kerasish import layers

rng = numpy.random.default_rng(23)
for class_index, class_name in enumerate(["cats", "dogs"]):
    os.makedirs(os.path.join("images", class_name), exist_ok=True)
    for i in range(6):
        image = rng.integers(0, 128, size=(10, 10, 3)) + 100 * class_index
        keras.utils.save_img(os.path.join("images", class_name, f"{i}.png"), image.astype("uint8"))

train_ds = keras.utils.image_dataset_from_directory(
    "images", image_size=(8, 8), batch_size=4, shuffle=False, interpolation="nearest"
)
first_images, first_labels = next(iter(train_ds))

inputs = keras.Input(shape=(8, 8, 3))
x = layers.Rescaling(1.0 / 255)(inputs)
x = layers.Conv2D(4, 3, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.BinaryCrossentropy(from_logits=True))
history = model.fit(train_ds, epochs=2, shuffle=False, verbose=0)  # a PyDataset's batches are shuffled by default
print(
    json.dumps(
        {
            "class_names": train_ds.class_names,
            "first_batch_shape": list(first_images.shape),
            "first_labels": numpy.asarray(first_labels).tolist(),
            "first_pixels": numpy.asarray(first_images)[0, 0, :2].ravel().tolist(),
            "loss": history.history["loss"],
            "predictions": model.predict(train_ds, verbose=0).ravel().tolist(),
        }
    )
)
