"""RandomHue: each image's hue shifted by +-factor / 2 (a drawn magnitude and sign), wrapped to [0, 1]."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.layers.preprocessing.random_saturation import replace_channel
from kerasish.ops import image


class RandomHue(BaseImagePreprocessingLayer):
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
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
        invert = ops.where(ops.greater(random.uniform((batch,), seed=seed), 0.5), -1.0, 1.0)
        factor = random.uniform((batch,), self.factor[0], self.factor[1], seed=seed)
        return {"factor": invert * factor * 0.5}

    def _transform_images(self, images, transformation, interpolation):
        images = self._transform_value_range(images, self.value_range, (0, 1))
        shift = ops.reshape(transformation["factor"], (-1, 1, 1, 1))

        def rotate(hue):
            hue = hue + shift
            hue = ops.where(ops.greater(hue, 1.0), hue - 1.0, hue)
            return ops.where(ops.less(hue, 0.0), hue + 1.0, hue)

        hsv = replace_channel(self, image.rgb_to_hsv(images, data_format=self.data_format), 0, rotate)
        images = ops.clip(image.hsv_to_rgb(hsv, data_format=self.data_format), 0.0, 1.0)
        return self._transform_value_range(images, (0, 1), self.value_range)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
