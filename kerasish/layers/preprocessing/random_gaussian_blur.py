"""RandomGaussianBlur: with a probability drawn from `factor`, each image blurred with a Gaussian of
`kernel_size` taps whose (x, y) sigmas are drawn once per batch from `sigma`; clipped to value_range."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.ops import image


class RandomGaussianBlur(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(sigma)
        sigma_range = self.factor
        self._set_factor(factor)
        self.sigma = sigma_range
        self.kernel_size = self._kernel_size(kernel_size)
        self.value_range = tuple(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    @staticmethod
    def _kernel_size(kernel_size):
        sizes = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
        if len(sizes) != 2:
            raise ValueError(f"kernel_size must be a tuple of 2 integers. Received: kernel_size={kernel_size}")
        if any(not isinstance(size, int) or size % 2 == 0 or size < 1 for size in sizes):
            raise ValueError(f"kernel_size must be an odd number. Received: kernel_size={kernel_size}")
        return sizes

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        seed = seed or self.generator
        probability = random.uniform((batch,), self.factor[0], self.factor[1], seed=seed)
        apply = ops.less(random.uniform((batch,), seed=seed), probability)
        blur = random.uniform((2,), self.sigma[0], self.sigma[1], dtype=self.compute_dtype, seed=seed) + 1e-6
        return {"should_apply_blur": apply, "blur_factor": blur}

    def _transform_images(self, images, transformation, interpolation):
        blurred = image.gaussian_blur(
            images, kernel_size=self.kernel_size, sigma=transformation["blur_factor"], data_format=self.data_format
        )
        apply = ops.reshape(transformation["should_apply_blur"], (-1, 1, 1, 1))
        return ops.clip(ops.where(apply, blurred, images), self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "kernel_size": self.kernel_size,
            "sigma": self.sigma,
            "value_range": self.value_range,
            "seed": self.seed,
        }
