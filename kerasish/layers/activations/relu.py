"""ReLU: max(x, 0) with an optional cap, threshold and negative slope."""

from kerasish import activations
from kerasish.layers.layer import Layer


def _non_negative(value, name):
    if value is None or value < 0.0:
        raise ValueError(f"{name} of a ReLU layer cannot be a negative value. Received: {name}={value}")


class ReLU(Layer):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None:
            _non_negative(max_value, "max_value")
        _non_negative(negative_slope, "negative_slope")
        _non_negative(threshold, "threshold")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(
            inputs, negative_slope=self.negative_slope, max_value=self.max_value, threshold=self.threshold
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }
