"""Rescaling: inputs * scale + offset (e.g. scale=1/255 for pixel values)."""

from kerasish import ops
from kerasish.layers.layer import Layer


class Rescaling(Layer):
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        if inputs.dtype.kind != "f":
            inputs = ops.cast(inputs, self.compute_dtype)
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
