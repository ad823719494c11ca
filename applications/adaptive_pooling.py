"""AdaptiveAveragePooling2D: torch's AdaptiveAvgPool2d, needed by torchvision's AlexNet and VGG heads."""

from kerasish import layers, ops
from kerasish.backends.config import standardize_data_format


class AdaptiveAveragePooling2D(layers.Layer):
    """Average over bins [floor(i*H/out), ceil((i+1)*H/out)) so any input size gives `output_size`."""

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
        if len(size) != 2 or any(not isinstance(s, int) or s < 1 for s in size):
            raise ValueError(
                f"AdaptiveAveragePooling2D: output_size must be a positive int or a pair of them. "
                f"Received: output_size={output_size!r}"
            )
        self.output_size = size
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        return ops.adaptive_average_pool(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[3])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}
