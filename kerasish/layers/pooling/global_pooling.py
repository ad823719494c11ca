"""Global pooling: the max or mean over all spatial axes (GlobalMax/AveragePooling1D/2D/3D)."""

from kerasish import ops
from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer


class BaseGlobalPooling(Layer):
    def __init__(self, pool_dimensions, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.pool_dimensions = pool_dimensions

    def spatial_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return tuple(range(first, first + self.pool_dimensions))

    def compute_output_shape(self, input_shape):
        axes = self.spatial_axes()
        if self.keepdims:
            return tuple(1 if axis in axes else d for axis, d in enumerate(input_shape))
        return tuple(d for axis, d in enumerate(input_shape) if axis not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling(BaseGlobalPooling):
    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes(), keepdims=self.keepdims)


class GlobalAveragePooling(BaseGlobalPooling):
    def call(self, inputs):
        return ops.mean(inputs, axis=self.spatial_axes(), keepdims=self.keepdims)


class GlobalAveragePooling1D(GlobalAveragePooling):
    """With a mask over the steps (from Embedding(mask_zero=True)), the mean counts the unmasked steps only."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps_axis = self.spatial_axes()[0]
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), 1 if self.data_format == "channels_first" else 2)
        total = ops.sum(inputs * weights, axis=steps_axis, keepdims=self.keepdims)
        return total / ops.sum(weights, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, previous_mask):
        return None


class GlobalAveragePooling2D(GlobalAveragePooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling3D(GlobalAveragePooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling1D(GlobalMaxPooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling2D(GlobalMaxPooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling3D(GlobalMaxPooling):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)
