"""RandomPerspective: with a probability drawn from `factor`, each image warped by the homography that moves
its corners by up to scale / 2 of their coordinates (drawn per corner); outside reads fill_value."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.ops import image


class RandomPerspective(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        if not isinstance(scale, (int, float)) or scale < 0.0 or scale > 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. Received: scale={scale}")
        self._check_choice("interpolation", interpolation, ("nearest", "bilinear"))
        self.scale, self.fill_value, self.interpolation = scale, fill_value, interpolation
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        height, width = self._image_size(images)
        seed = seed or self.generator
        probability = random.uniform((batch,), self.factor[0], self.factor[1], seed=seed)
        apply = ops.less(random.uniform((batch,), seed=seed), probability)
        moves = random.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale, dtype=self.compute_dtype, seed=seed)
        corners = [[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0], [width - 1.0, height - 1.0]]
        start = ops.broadcast_to(ops.convert_to_tensor([corners], dtype=self.compute_dtype), (batch, 4, 2))
        return {"apply_perspective": apply, "start_points": start, "end_points": start + start * moves}

    def _transform_images(self, images, transformation, interpolation):
        warped = image.perspective_transform(
            images,
            transformation["start_points"],
            transformation["end_points"],
            interpolation=interpolation,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )
        apply = ops.reshape(transformation["apply_perspective"], (-1, 1, 1, 1))
        return ops.where(apply, warped, images)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
            "seed": self.seed,
        }
