"""Data and dtypes from other libraries, as Keras takes them: torch tensors as training and prediction data,
torch and numpy dtype objects as `dtype=` (for `Input`, layers, `keras.ops` and `add_weight`)."""

import json

import numpy
import torch

import kerasish as keras
from kerasish import ops

rng = numpy.random.default_rng(2)
x = rng.random((16, 4)).astype("float32")
y = x @ numpy.array([[1.0], [-2.0], [0.5], [3.0]], "float32")

inputs = keras.Input(shape=(4,), dtype=torch.float32)
outputs = keras.layers.Dense(1, dtype=numpy.float32)(inputs)
model = keras.Model(inputs, outputs)
model.set_weights([numpy.full((4, 1), 0.1, "float32"), numpy.zeros(1, "float32")])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
history = model.fit(torch.from_numpy(x), torch.from_numpy(y), batch_size=4, epochs=2, shuffle=False, verbose=0)

as_half = ops.cast(ops.convert_to_tensor(x[:2]), torch.float16)
zeros = ops.zeros((2, 3), dtype=numpy.int32)
print(
    json.dumps(
        {
            "dtypes": [
                keras.backend.standardize_dtype(inputs.dtype),
                keras.backend.standardize_dtype(as_half.dtype),
                keras.backend.standardize_dtype(zeros.dtype),
                keras.backend.standardize_dtype(torch.bfloat16),
            ],
            "loss": history.history["loss"],
            "predictions": numpy.asarray(model.predict(torch.from_numpy(x[:3]), verbose=0)).ravel().tolist(),
            "half": ops.convert_to_numpy(ops.cast(as_half, "float32")).ravel().tolist(),
        }
    )
)
