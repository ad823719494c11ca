"""keras.io, "Bidirectional LSTM on IMDB" at toy scale: integer token sequences padded with zeros,
`Embedding(mask_zero=True)` then two `Bidirectional(LSTM)` layers, trained a few steps with binary
crossentropy; the masks keep the padding out of the recurrence."""

import json

import numpy

import kerasish as keras
from kerasish import layers

max_features, maxlen = 30, 7
rng = numpy.random.default_rng(9)
lengths = rng.integers(2, maxlen + 1, size=24)
sequences = [rng.integers(1, max_features, size=length).tolist() for length in lengths]
x_train = keras.utils.pad_sequences(sequences, maxlen=maxlen)
y_train = (numpy.array([sum(s) for s in sequences]) % 2).astype("float32")

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 8, mask_zero=True)(inputs)
x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(4))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=8, epochs=2, shuffle=False, verbose=0)
print(
    json.dumps(
        {
            "weight_shapes": [str(tuple(w.shape)) for w in model.get_weights()],
            "loss": history.history["loss"],
            "accuracy": history.history["accuracy"],
            "predictions": model.predict(x_train[:4], verbose=0).ravel().tolist(),
        }
    )
)
