"""RandomTranslation: each image shifted by fractions of its height and width drawn from the factors."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import images_of
from kerasish.layers.preprocessing.random_rotation import AffineLayer
from kerasish.layers.preprocessing.random_zoom import factor_range


class RandomTranslation(AffineLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = (
        "The `factor` argument should be a number (or a list of two numbers) in the range [-1.0, 1.0]. "
    )

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = factor_range(
            height_factor, "height_factor", -1.0, True, self._FACTOR_VALIDATION_ERROR
        )
        self.width_lower, self.width_upper = factor_range(
            width_factor, "width_factor", -1.0, True, self._FACTOR_VALIDATION_ERROR
        )
        self._check_sampling(fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        height, width = self._image_size(images)
        seed = seed or self.generator
        height_shift = random.uniform((batch, 1), self.height_lower, self.height_upper, seed=seed) * height
        width_shift = random.uniform((batch, 1), self.width_lower, self.width_upper, seed=seed) * width
        return {"translations": ops.concatenate([width_shift, height_shift], axis=1)}

    def _matrix(self, transformation, height, width):
        return translation_matrix(transformation["translations"])

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            **self._sampling_config(),
        }


def translation_matrix(translations):
    ones = ops.ones_like(translations[:, 0:1])
    zeros = ops.zeros_like(ones)
    return ops.concatenate(
        [ones, zeros, -translations[:, 0:1], zeros, ones, -translations[:, 1:], zeros, zeros], axis=1
    )
