"""Cropping1D, Cropping2D, Cropping3D: remove steps, rows, columns or slices from the edges of a batch."""

from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.layers.reshaping.spatial import spatial_axes, spatial_pairs


class BaseCropping(Layer):
    rank = None

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.pairs = spatial_pairs(cropping, self.rank, "cropping")
        self.cropping = self.pairs[0] if self.rank == 1 else self.pairs
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        index = [slice(None)] * (self.rank + 2)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self.rank), self.pairs):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self.rank), self.pairs):
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
        config = {**super().get_config(), "cropping": self.cropping}
        return config if self.rank == 1 else {**config, "data_format": self.data_format}


class Cropping1D(BaseCropping):
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping2D(BaseCropping):
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(BaseCropping):
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
