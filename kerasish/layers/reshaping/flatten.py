"""Flatten: (batch, ...) to (batch, product of the rest); channels_first inputs are flattened channels-last
first, as Keras does, so a Dense after it sees the same order in both layouts."""

import math

from kerasish import ops
from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = len(inputs.shape)
        if self.data_format == "channels_first" and rank > 2:
            inputs = ops.transpose(inputs, (0, *range(2, rank), 1))
        size = self.compute_output_shape(inputs.shape)[1]
        if size is None:
            return ops.reshape(inputs, (inputs.shape[0], -1))
        return ops.reshape(inputs, (-1, size))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
