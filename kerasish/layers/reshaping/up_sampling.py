"""UpSampling1D, UpSampling2D, UpSampling3D: enlarge a batch by integer factors along its spatial axes,
repeating entries; UpSampling2D can also interpolate linearly between pixel centres ("bilinear", edges
clamped, as Keras's image resize)."""

from kerasish import ops
from kerasish.layers.arguments import standardize_data_format, standardize_tuple
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.layers.reshaping.spatial import spatial_axes

_INTERPOLATIONS = ("nearest", "bilinear")


def _linear_along(x, axis, factor):
    """Linear interpolation to `factor` times the length of `axis` (half-pixel centres)."""
    length = x.shape[axis]
    positions = ops.clip((ops.arange(length * factor, dtype="float32") + 0.5) / factor - 0.5, 0, length - 1)
    lower = ops.floor(positions)
    shape = [1] * len(x.shape)
    shape[axis] = -1
    weight = ops.reshape(ops.cast(positions - lower, x.dtype), shape)
    lower = ops.cast(lower, "int32")
    upper = ops.minimum(lower + 1, length - 1)
    return ops.take(x, lower, axis=axis) * (1 - weight) + ops.take(x, upper, axis=axis) * weight


def _repeat_shape(input_shape, axes, factors):
    shape = list(input_shape)
    for axis, factor in zip(axes, factors):
        if shape[axis] is not None:
            shape[axis] *= factor
    return tuple(shape)


class UpSampling1D(Layer):
    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"The `size` argument must be a positive integer. Received: size={size}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        return _repeat_shape(input_shape, (1,), (self.size,))

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"`interpolation` argument should be one of {list(_INTERPOLATIONS)} (kerasish supports "
                f"these two). Received: interpolation={interpolation!r}"
            )
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.data_format, 2), self.size):
            if self.interpolation == "nearest":
                inputs = ops.repeat(inputs, factor, axis=axis)
            else:
                inputs = _linear_along(inputs, axis, factor)
        return inputs

    def compute_output_shape(self, input_shape):
        return _repeat_shape(input_shape, spatial_axes(self.data_format, 2), self.size)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


class UpSampling3D(Layer):
    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 3, "size")
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size):
            inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        return _repeat_shape(input_shape, spatial_axes(self.data_format, 3), self.size)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
