"""keras.io, "Mixed precision": `keras.mixed_precision.set_global_policy("mixed_float16")`, layers computing
in float16 with float32 variables, the output softmax kept in float32, a few training steps (with the loss
scaling `compile` adds), and the policy set back to float32. Compared with a looser tolerance: float16
activations round differently when the operations run in another order."""

import json

import numpy

import kerasish as keras
from kerasish import layers

keras.mixed_precision.set_global_policy("mixed_float16")
try:
    inputs = keras.Input(shape=(6,), name="digits")
    x = layers.Dense(8, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(8, activation="relu", name="dense_2")(x)
    x = layers.Dense(3, name="dense_logits")(x)
    outputs = layers.Activation("softmax", dtype="float32", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    rng = numpy.random.default_rng(13)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.1), metrics=["accuracy"])
    x_train = rng.random((32, 6)).astype("float32")
    y_train = rng.integers(3, size=32)
    history = model.fit(x_train, y_train, batch_size=8, epochs=2, shuffle=False, verbose=0)
    dense = model.get_layer("dense_1")
    results = {
        "policy": keras.mixed_precision.global_policy().name,
        "dense_dtypes": [
            dense.compute_dtype,
            dense.variable_dtype,
            keras.backend.standardize_dtype(dense.kernel.dtype),
        ],
        "dense_output_dtype": keras.backend.standardize_dtype(dense.output.dtype),
        "output_dtype": keras.backend.standardize_dtype(outputs.dtype),
        "loss": history.history["loss"],
        "predictions": model.predict(x_train[:3], verbose=0).ravel().tolist(),
    }
finally:
    keras.mixed_precision.set_global_policy("float32")
results["policy_after"] = keras.mixed_precision.global_policy().name
print(json.dumps(results))
