"""RandomRotation: each image rotated about its centre by an angle drawn from factor * [-360, 360] degrees."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    affine_matrix,
    images_of,
)
from kerasish.ops import image

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


class AffineLayer(BaseImagePreprocessingLayer):
    """The layers that move pixels with one affine transform per image, made by `_matrix` from the drawn
    parameters (Keras's transformation entries) and the image size."""

    def _check_sampling(self, fill_mode, interpolation):
        self._check_choice("fill_mode", fill_mode, FILL_MODES)
        self._check_choice("interpolation", interpolation, INTERPOLATIONS)

    def _transform_images(self, images, transformation, interpolation):
        height, width = self._image_size(images)
        return image.affine_transform(
            images,
            self._matrix(transformation, height, width),
            interpolation=interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def _sampling_config(self):
        return {
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class RandomRotation(AffineLayer):
    def __init__(
        self,
        factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._check_sampling(fill_mode, interpolation)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        angle = random.uniform((batch,), self.factor[0] * 360.0, self.factor[1] * 360.0, seed=seed or self.generator)
        return {"angle": angle}

    def _matrix(self, transformation, height, width):
        angle = transformation["angle"]
        zeros = ops.zeros_like(angle)
        return affine_matrix(angle, zeros, zeros, ops.ones_like(angle), zeros, zeros, height, width)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, **self._sampling_config()}
