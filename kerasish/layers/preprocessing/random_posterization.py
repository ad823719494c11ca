"""RandomPosterization: each image keeps the top b bits of its 8-bit values (on the 0-255 scale), b drawn
from `factor` in [1, 8]."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


class RandomPosterization(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (1, 8)
    _MAX_FACTOR = 8

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
        batch = self._batch_size(images)
        low, high = int(self.factor[0]), int(self.factor[1])
        if low != high:
            bits = random.randint((batch,), low, high, seed=seed or self.generator)
        else:
            bits = ops.full((batch,), low, dtype="int32")
        return {"shift_factor": self._MAX_FACTOR - bits}

    def _transform_images(self, images, transformation, interpolation):
        images = self._transform_value_range(images, self.value_range, (0, 255))
        step = ops.reshape(ops.power(2.0, ops.cast(transformation["shift_factor"], self.compute_dtype)), (-1, 1, 1, 1))
        levels = ops.floor(ops.clip(images, 0.0, 255.0))  # the uint8 cast Keras makes
        images = ops.floor(levels / step) * step
        return self._transform_value_range(images, (0, 255), self.value_range)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
