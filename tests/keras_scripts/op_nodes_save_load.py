"""A functional model with raw ops between its layers, as keras.io's functional guide writes them (`x * 2`,
`keras.ops.concatenate`, slicing, a constant tensor), saved to `.keras` and loaded back; the loaded model
predicts the same."""

import json

import numpy

import kerasish as keras
from kerasish import ops

inputs = keras.Input(shape=(6,))
hidden = keras.layers.Dense(4, activation="relu")(inputs)
doubled = hidden * 2.0
joined = ops.concatenate([hidden, doubled], axis=-1)
shifted = joined + ops.convert_to_tensor(numpy.linspace(-0.5, 0.5, 8).astype("float32"))
sliced = shifted[:, 2:]
squashed = ops.sigmoid(ops.reshape(ops.expand_dims(sliced, 1), (-1, 6)))
outputs = keras.layers.Dense(2)(squashed)
model = keras.Model(inputs, outputs)
rng = numpy.random.default_rng(11)
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])

data = rng.normal(size=(5, 6)).astype("float32")
model.save("op_nodes.keras")
loaded = keras.saving.load_model("op_nodes.keras")
print(
    json.dumps(
        {
            "layers": [type(layer).__name__ for layer in loaded.layers],
            "prediction": model.predict(data, verbose=0).ravel().tolist(),
            "loaded": loaded.predict(data, verbose=0).ravel().tolist(),
        }
    )
)
