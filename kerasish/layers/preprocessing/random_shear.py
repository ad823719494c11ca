"""RandomShear: each image sheared along x and y by factors drawn from x_factor and y_factor, the sign of
both flipped together with probability 1/2."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import images_of
from kerasish.layers.preprocessing.random_rotation import AffineLayer
from kerasish.layers.preprocessing.random_zoom import factor_range


class RandomShear(AffineLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = (
        "The `factor` argument should be a number (or a list of two numbers) in the range [0, 1.0]. "
    )

    def __init__(
        self,
        x_factor=0.0,
        y_factor=0.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        data_format=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._factor_arguments = {"x_factor": x_factor, "y_factor": y_factor}
        self.x_factor = factor_range(x_factor, "x_factor", 0.0, True, self._FACTOR_VALIDATION_ERROR)
        self.y_factor = factor_range(y_factor, "y_factor", 0.0, True, self._FACTOR_VALIDATION_ERROR)
        self._check_sampling(fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        seed = seed or self.generator
        invert = ops.where(ops.greater(random.uniform((batch, 1), seed=seed), 0.5), -1.0, 1.0)
        shear_y = random.uniform((batch, 1), self.y_factor[0], self.y_factor[1], seed=seed)
        shear_x = random.uniform((batch, 1), self.x_factor[0], self.x_factor[1], seed=seed)
        return {"shear_factor": ops.concatenate([shear_x, shear_y], axis=1) * invert}

    def _matrix(self, transformation, height, width):
        return shear_matrix(transformation["shear_factor"])

    def get_config(self):
        return {
            **super().get_config(),
            **self._factor_arguments,
            **self._sampling_config(),
        }


def shear_matrix(shear):
    ones = ops.ones_like(shear[:, 0])
    zeros = ops.zeros_like(ones)
    return ops.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros], axis=1)
