"""RandomInvert: each image replaced by value_range[1] - image with a probability drawn from `factor`."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


class RandomInvert(BaseImagePreprocessingLayer):
    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = tuple(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        seed = seed or self.generator
        probability = random.uniform((batch,), self.factor[0], self.factor[1], seed=seed)
        return {"apply_inversion": ops.less(random.uniform((batch,), seed=seed), probability)}

    def _transform_images(self, images, transformation, interpolation):
        apply = ops.reshape(transformation["apply_inversion"], (-1, 1, 1, 1))
        return ops.where(apply, self.value_range[1] - images, images)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
