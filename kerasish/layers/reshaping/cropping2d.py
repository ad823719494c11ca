"""Cropping2D: removes rows and columns from the edges of an image batch."""

from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.layers.reshaping.spatial_2d import pairs_2d, spatial_axes


class Cropping2D(Layer):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.cropping = pairs_2d(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        index = [slice(None)] * 4
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.cropping):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format), self.cropping):
            if shape[axis] is None:
                raise ValueError(
                    f"the spatial size of the input must be known to crop it; input shape {tuple(input_shape)}"
                )
            if before + after >= shape[axis]:
                raise ValueError(
                    "Values in `cropping` argument should be smaller than the corresponding spatial "
                    f"dimension of the input. Received: input_shape={tuple(input_shape)}, "
                    f"cropping={self.cropping}"
                )
            shape[axis] -= before + after
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
