"""RandomColorDegeneration: each image blended towards its grayscale by a factor drawn from `factor`."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.ops import image


class RandomColorDegeneration(BaseImagePreprocessingLayer):
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
            (self._batch_size(images), 1, 1, 1), self.factor[0], self.factor[1], seed=seed or self.generator
        )
        return {"factor": factor}

    def _transform_images(self, images, transformation, interpolation):
        gray = image.rgb_to_grayscale(images, data_format=self.data_format)
        images = images + transformation["factor"] * (gray - images)
        return ops.clip(images, self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
