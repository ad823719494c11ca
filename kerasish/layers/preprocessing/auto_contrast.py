"""AutoContrast: each channel of each image stretched so its minimum and maximum span value_range (a flat
channel is kept as it is). Not random, and applied in training and inference, as in Keras."""

from kerasish import ops
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer


class AutoContrast(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self._set_value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        original = ops.cast(images, self.compute_dtype)
        images = self._transform_value_range(original, self.value_range, (0, 255))
        axes = (self._height_axis, self._width_axis)
        low = ops.min(images, axis=axes, keepdims=True)
        high = ops.max(images, axis=axes, keepdims=True)
        spread = high - low
        flat = ops.equal(spread, 0.0)
        scale = 255.0 / ops.where(flat, 1.0, spread)
        results = ops.clip((images - low) * scale, 0.0, 255.0)
        results = self._transform_value_range(results, (0, 255), self.value_range)
        return ops.where(flat, original, results)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}
