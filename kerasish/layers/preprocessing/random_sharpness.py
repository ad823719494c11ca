"""RandomSharpness: each image blended with a 3x3 smoothing of itself, by 1 - 2f for f drawn from `factor`
(below 0.5 blurs, above sharpens), clipped to value_range."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of

_SMOOTHING = [[1 / 13, 1 / 13, 1 / 13], [1 / 13, 5 / 13, 1 / 13], [1 / 13, 1 / 13, 1 / 13]]


class RandomSharpness(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

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
        return {"factor": factor}

    def _transform_images(self, images, transformation, interpolation):
        channels = images.shape[self._channel_axis]
        kernel = ops.reshape(ops.convert_to_tensor(_SMOOTHING, dtype=self.compute_dtype), (3, 3, 1, 1))
        kernel = ops.tile(kernel, (1, 1, channels, 1))
        smoothed = ops.depthwise_conv(images, kernel, padding="same", data_format=self.data_format)
        sharpness = ops.reshape(transformation["factor"] * 2.0, (-1, 1, 1, 1))
        images = images + (1.0 - sharpness) * (smoothed - images)
        return ops.clip(images, self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
