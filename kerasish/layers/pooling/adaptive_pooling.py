"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D: pool each spatial axis into a fixed
`output_size` whatever the input's size (torch's bins: `ops.adaptive_average_pool`/`adaptive_max_pool`)."""

from kerasish import ops
from kerasish.layers.arguments import standardize_data_format, standardize_tuple
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer


class BaseAdaptivePooling(Layer):
    rank = None
    pool = None

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(output_size, (int, tuple, list)) or isinstance(output_size, bool):
            raise TypeError(
                f"`output_size` must be an integer or tuple of {self.rank} integers. Received: {output_size!r}"
            )
        if isinstance(output_size, (tuple, list)) and len(output_size) != self.rank:
            raise ValueError(
                f"For {self.rank}D input, `output_size` tuple must have length {self.rank}. Received: {output_size}"
            )
        self.output_size = standardize_tuple(output_size, self.rank, "output_size")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self).pool(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    rank, pool = 1, ops.adaptive_average_pool


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    rank, pool = 2, ops.adaptive_average_pool


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    rank, pool = 3, ops.adaptive_average_pool


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    rank, pool = 1, ops.adaptive_max_pool


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    rank, pool = 2, ops.adaptive_max_pool


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    rank, pool = 3, ops.adaptive_max_pool
