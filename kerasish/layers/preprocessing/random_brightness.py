"""RandomBrightness: a delta drawn from factor * (value_range width) added to each image, then clipped."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


class RandomBrightness(BaseImagePreprocessingLayer):
    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        self._set_value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        delta = random.uniform(
            (self._batch_size(images), 1, 1, 1), self.factor[0], self.factor[1], seed=seed or self.generator
        )
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def _transform_images(self, images, transformation, interpolation):
        return ops.clip(images + transformation["rgb_delta"], self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
