"""keras.io, "The Functional API": a model with several inputs and outputs (a ticket classifier), merged with
`keras.layers.concatenate` and `keras.layers.add`, a shared layer, losses and loss weights per output name,
trained with dicts of data; `model.get_layer`, `model.inputs`/`outputs`."""

import json

import numpy

import kerasish as keras
from kerasish import layers

num_tags, num_words, num_departments = 4, 20, 3

title_input = keras.Input(shape=(5,), name="title", dtype="int32")
body_input = keras.Input(shape=(8,), name="body", dtype="int32")
tags_input = keras.Input(shape=(num_tags,), name="tags")

shared_embedding = layers.Embedding(num_words, 6, name="embedding")
title_features = layers.GlobalAveragePooling1D()(shared_embedding(title_input))
body_features = layers.GlobalAveragePooling1D()(shared_embedding(body_input))
summed = layers.add([title_features, body_features])
x = layers.concatenate([summed, title_features, tags_input])

priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)

model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)
rng = numpy.random.default_rng(3)
model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.05),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)

title_data = rng.integers(num_words, size=(32, 5)).astype("int32")
body_data = rng.integers(num_words, size=(32, 8)).astype("int32")
tags_data = rng.integers(2, size=(32, num_tags)).astype("float32")
priority_targets = rng.random(size=(32, 1)).astype("float32")
dept_targets = numpy.eye(num_departments, dtype="float32")[rng.integers(num_departments, size=32)]

history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=2,
    batch_size=8,
    shuffle=False,
    verbose=0,
)
predictions = model.predict({"title": title_data[:2], "body": body_data[:2], "tags": tags_data[:2]}, verbose=0)
print(
    json.dumps(
        {
            "layer_names": [layer.name for layer in model.layers],
            "embedding_shape": list(model.get_layer("embedding").embeddings.shape),
            "loss": history.history["loss"],
            "priority": predictions["priority"].ravel().tolist(),
            "department": predictions["department"].ravel().tolist(),
        }
    )
)
