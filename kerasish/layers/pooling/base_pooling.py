"""BasePooling: max or average over sliding windows (Keras's pooling arguments, config and shapes)."""

from kerasish import ops
from kerasish.layers.arguments import (
    conv_output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer

_POOLS = {"max": ops.max_pool, "average": ops.average_pool}


class BasePooling(Layer):
    def __init__(
        self,
        pool_size,
        strides,
        pool_dimensions,
        pool_mode="max",
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, pool_dimensions, "strides")
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def call(self, inputs):
        return _POOLS[self.pool_mode](
            inputs, pool_size=self.pool_size, strides=self.strides, padding=self.padding, data_format=self.data_format
        )

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        first = 2 if self.data_format == "channels_first" else 1
        for i, (size, stride) in enumerate(zip(self.pool_size, self.strides)):
            length = conv_output_length(shape[first + i], size, self.padding, stride)
            if length is not None and length <= 0:
                raise ValueError(
                    f"Computed output size would be negative. Received: inputs.shape="
                    f"{tuple(input_shape)}, pool_size={self.pool_size}, padding={self.padding!r}"
                )
            shape[first + i] = length
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
