"""RandomGrayscale: each image turned to grayscale (kept with its channel count) with probability `factor`."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.ops import image


class RandomGrayscale(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(factor, (int, float)) or factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        draws = random.uniform((self._batch_size(images), 1, 1, 1), seed=seed or self.generator)
        return {"apply": ops.less(draws, self.factor)}

    def _transform_images(self, images, transformation, interpolation):
        gray = image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.where(transformation["apply"], gray, images)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
