"""Solarization: on the 0-255 scale, an addition drawn from addition_factor * 255 is added (clipped), then
pixels at or above a threshold drawn from threshold_factor * 255 are inverted (255 - x)."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.layers.preprocessing.random_zoom import factor_range


class Solarization(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = (
        "The `addition_factor` and `threshold_factor` arguments should be a number (or a list of two numbers) "
        "in the range [0, 1]. "
    )

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        self.addition_factor = self._zero_based(addition_factor, "addition_factor")
        self.threshold_factor = self._zero_based(threshold_factor, "threshold_factor")
        self._set_value_range(value_range)

    def _zero_based(self, factor, name):
        low, high = factor_range(factor, name, 0.0, True, self._FACTOR_VALIDATION_ERROR)
        return (0, high) if isinstance(factor, (int, float)) else (low, high)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        shape = (self._batch_size(images), 1, 1, 1)
        seed = seed or self.generator
        return {
            "additions": random.uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255, seed=seed),
            "thresholds": random.uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255, seed=seed),
        }

    def _transform_images(self, images, transformation, interpolation):
        images = self._transform_value_range(images, self.value_range, (0, 255))
        results = ops.clip(images + transformation["additions"], 0.0, 255.0)
        results = ops.where(ops.less(results, transformation["thresholds"]), results, 255.0 - results)
        return self._transform_value_range(results, (0, 255), self.value_range)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "addition_factor": self.addition_factor,
            "threshold_factor": self.threshold_factor,
            "seed": self.seed,
        }
