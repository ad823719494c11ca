"""RandomContrast: each image's distance from its per-channel mean scaled by a factor drawn from
[1 - lower, 1 + upper], then clipped to value_range."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


class RandomContrast(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = tuple(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        factor = random.uniform(
            (self._batch_size(images), 1, 1, 1), 1.0 - self.factor[0], 1.0 + self.factor[1], seed=seed or self.generator
        )
        return {"contrast_factor": factor}

    def _transform_images(self, images, transformation, interpolation):
        mean = ops.mean(images, axis=(self._height_axis, self._width_axis), keepdims=True)
        outputs = (images - mean) * transformation["contrast_factor"] + mean
        return ops.clip(outputs, self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
