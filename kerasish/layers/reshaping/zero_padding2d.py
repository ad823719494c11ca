"""ZeroPadding2D: adds rows and columns of zeros around an image batch."""

from kerasish import ops
from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.layers.reshaping.spatial_2d import pairs_2d, spatial_axes


class ZeroPadding2D(Layer):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = pairs_2d(padding, "padding")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        widths = [(0, 0)] * 4
        for axis, pair in zip(spatial_axes(self.data_format), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.padding):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
