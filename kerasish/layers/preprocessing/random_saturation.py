"""RandomSaturation: each image's HSV saturation multiplied by f / (1 - f), f drawn from `factor` (0.5 keeps
it; 0 makes grayscale), clipped to value_range as Keras does."""

from kerasish import ops, random
from kerasish.backend import epsilon
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.ops import image


def replace_channel(layer, images, index, function):
    """`images` (batch) with HSV-like channel `index` replaced by function(channel)."""
    axis = layer._channel_axis % 4
    channels = [ops.take(images, [i], axis=axis) for i in range(3)]
    channels[index] = function(channels[index])
    return ops.concatenate(channels, axis=axis)


class RandomSaturation(BaseImagePreprocessingLayer):
    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        factor = random.uniform(
            (self._batch_size(images),), self.factor[0], self.factor[1], seed=seed or self.generator
        )
        return {"factor": factor / (1.0 - factor + epsilon())}

    def _transform_images(self, images, transformation, interpolation):
        factor = ops.reshape(transformation["factor"], (-1, 1, 1, 1))
        hsv = image.rgb_to_hsv(images, data_format=self.data_format)
        hsv = replace_channel(self, hsv, 1, lambda s: ops.clip(s * factor, self.value_range[0], self.value_range[1]))
        return image.hsv_to_rgb(hsv, data_format=self.data_format)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
