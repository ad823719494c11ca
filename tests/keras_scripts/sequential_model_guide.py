"""keras.io, "The Sequential model": building incrementally with `add`, `pop`, deferred building, `summary`,
`layers`, feature extraction with a functional model over a Sequential model's layers."""

import json

import numpy

import kerasish as keras
from kerasish import layers

model = keras.Sequential(name="my_sequential")
model.add(layers.Dense(2, activation="relu", name="layer1"))
model.add(layers.Dense(3, activation="relu", name="layer2"))
model.add(layers.Dense(4, name="layer3"))
model.pop()
built_before_call = model.built
x = numpy.linspace(-1.0, 1.0, 12, dtype="float32").reshape(3, 4)
model.build((None, 4))
rng = numpy.random.default_rng(1)
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])

initial_model = keras.Sequential(
    [keras.Input(shape=(4,)), layers.Dense(3, activation="relu"), layers.Dense(3, activation="relu", name="mid")]
)
initial_model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in initial_model.get_weights()])
feature_extractor = keras.Model(inputs=initial_model.inputs, outputs=[layer.output for layer in initial_model.layers])
features = feature_extractor(x)

print(
    json.dumps(
        {
            "layer_names": [layer.name for layer in model.layers],
            "built_before_call": built_before_call,
            "weights": len(model.weights),
            "outputs": keras.ops.convert_to_numpy(model(x)).tolist(),
            "features": [keras.ops.convert_to_numpy(f).tolist() for f in features],
            "parameters": model.count_params(),
        }
    )
)
