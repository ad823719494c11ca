"""keras.io, "Understanding masking & padding": `pad_sequences`, a mask from `Embedding(mask_zero=True)` read
as `_keras_mask` (eager and in a functional model), `layer.compute_mask`, `supports_masking`, a `Masking`
layer, and a custom layer that consumes the mask; the mask reaches an LSTM, whose outputs ignore padding."""

import json

import numpy

import kerasish as keras
from kerasish import layers, ops

raw_inputs = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]
padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post", maxlen=6)
tokens = numpy.minimum(padded_inputs, 99).astype("int32")

embedding = layers.Embedding(input_dim=100, output_dim=3, mask_zero=True)
masked_output = embedding(tokens)
mask_from_embedding = ops.convert_to_numpy(masked_output._keras_mask)
mask_from_compute = ops.convert_to_numpy(embedding.compute_mask(tokens))

masking_layer = layers.Masking(mask_value=0.0)
unmasked_embedding = numpy.broadcast_to(tokens[..., None], (3, 6, 2)).astype("float32")
mask_from_masking = ops.convert_to_numpy(masking_layer(unmasked_embedding)._keras_mask)


class TemporalSoftmax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / inputs_sum


inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=100, output_dim=4, mask_zero=True)(inputs)
symbolic_mask_shape = list(x._keras_mask.shape)
softmaxed = TemporalSoftmax()(layers.Dense(4)(x))
outputs = layers.LSTM(3)(softmaxed)
model = keras.Model(inputs, outputs)
rng = numpy.random.default_rng(5)
model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
predictions = model.predict(tokens, verbose=0)
longer = numpy.concatenate([tokens, numpy.zeros((3, 4), "int32")], axis=1)  # more padding: same outputs
print(
    json.dumps(
        {
            "padded": padded_inputs.tolist(),
            "mask_from_embedding": mask_from_embedding.tolist(),
            "same_as_compute_mask": bool((mask_from_embedding == mask_from_compute).all()),
            "mask_from_masking": mask_from_masking.tolist(),
            "symbolic_mask_shape": symbolic_mask_shape,
            "supports_masking": [embedding.supports_masking, masking_layer.supports_masking],
            "predictions": predictions.ravel().tolist(),
            "padding_ignored": model.predict(longer, verbose=0).ravel().tolist(),
        }
    )
)
