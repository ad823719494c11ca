"""RMSNormalization: divides each example by the root mean square over `axis` and multiplies by a learned
`scale` (Zhang & Sennrich, 2019)."""

from kerasish import ops
from kerasish.layers.layer import Layer
from kerasish.layers.normalization.axes import check_axes_in_bounds, standardize_axis


class RMSNormalization(Layer):
    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self.scale = self.add_weight(name="scale", shape=tuple(input_shape[a] for a in axes), initializer="ones")

    def call(self, inputs):
        rank = len(inputs.shape)
        axes = sorted(a % rank for a in (self.axis if isinstance(self.axis, list) else [self.axis]))
        scale = ops.reshape(self.scale, [inputs.shape[i] if i in axes else 1 for i in range(rank)])
        return ops.rms_normalization(inputs, scale=scale, axis=axes, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        check_axes_in_bounds(self.axis, input_shape)
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
