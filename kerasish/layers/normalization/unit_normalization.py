"""UnitNormalization: scales each example to unit L2 norm over `axis`."""

from kerasish.layers.layer import Layer
from kerasish.layers.merging.dot import l2_normalize
from kerasish.layers.normalization.axes import check_axes_in_bounds, standardize_axis


class UnitNormalization(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis)
        self.supports_masking = True

    def call(self, inputs):
        return l2_normalize(inputs, self.axis, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self.axis, input_shape)
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
