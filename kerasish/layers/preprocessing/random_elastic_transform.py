"""RandomElasticTransform: with a probability drawn from `factor`, each image displaced by smoothed random
noise of strength drawn once per batch from `scale` (alpha = 0.1 and sigma = 0.05 of the image size times it),
clipped to value_range. The smoothing window is sized for the largest sigma `scale` allows (kerasish draws
sigma as a tensor, so the window cannot follow it); it is normalised, so a smaller sigma keeps its shape."""

from kerasish import ops, random
from kerasish.backends.primitives.image import elastic_transform
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


class RandomElasticTransform(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(scale)
        scale_range = self.factor
        self._set_factor(factor)
        self.scale = scale_range
        self._check_choice("interpolation", interpolation, ("nearest", "bilinear"))
        self._check_choice("fill_mode", fill_mode, ("reflect", "wrap", "constant", "nearest"))
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = tuple(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        seed = seed or self.generator
        probability = random.uniform((batch,), self.factor[0], self.factor[1], seed=seed)
        apply = ops.less(random.uniform((batch,), seed=seed), probability)
        distortion = random.uniform((1,), self.scale[0], self.scale[1], dtype=self.compute_dtype, seed=seed)
        return {"apply_transform": apply, "distortion_factor": distortion, "seed": random.draw_seed(seed)}

    def _transform_images(self, images, transformation, interpolation):
        height, width = self._image_size(images)
        distortion = transformation["distortion_factor"][0]
        largest_sigma = min(height, width) * 0.05 * self.scale[1]
        warped = elastic_transform(
            images,
            alpha=max(height, width) * 0.1 * distortion,
            sigma=min(height, width) * 0.05 * distortion + 1e-6,
            interpolation=interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            seed=transformation["seed"],
            data_format=self.data_format,
            window=int(6 * largest_sigma) | 1,
        )
        apply = ops.reshape(transformation["apply_transform"], (-1, 1, 1, 1))
        return ops.clip(ops.where(apply, warped, images), self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
            "seed": self.seed,
        }
