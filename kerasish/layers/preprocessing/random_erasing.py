"""RandomErasing: with a probability drawn from `factor`, a random rectangle of each image (its sides
sqrt(scale) of the image's, drawn per image) is filled with `fill_value`, or with Gaussian noise of scale
value_range[1] when fill_value is None; the fill is clipped to value_range."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


def box_masks(layer, images, x0, x1, y0, y1):
    """Boolean (batch, height, width, 1) masks (channels-first: (batch, 1, height, width)) of the pixels in
    [x0, x1) x [y0, y1)."""
    height, width = layer._image_size(images)
    rows = ops.reshape(ops.arange(height, dtype=layer.compute_dtype), (1, height, 1))
    columns = ops.reshape(ops.arange(width, dtype=layer.compute_dtype), (1, 1, width))

    def per_image(v):
        return ops.reshape(v, (-1, 1, 1))

    inside = ops.logical_and(
        ops.logical_and(ops.greater_equal(columns, per_image(x0)), ops.less(columns, per_image(x1))),
        ops.logical_and(ops.greater_equal(rows, per_image(y0)), ops.less(rows, per_image(y1))),
    )
    return ops.expand_dims(inside, layer._channel_axis)


def crop_bounds(layer, batch, length, ratio, seed):
    crop = ratio * length
    start = random.uniform((batch,), dtype=layer.compute_dtype, seed=seed) * (length - crop)
    return start, start + crop


class RandomErasing(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor=1.0,
        scale=(0.02, 0.33),
        fill_value=None,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        factor_range = self.factor
        self._set_factor(scale)
        self.scale, self.factor = self.factor, factor_range
        message = "The `fill_value` argument should be a number (or a list of three numbers) "
        if fill_value is not None:
            if isinstance(fill_value, (tuple, list)):
                if len(fill_value) != 3:
                    raise ValueError(message + f"Received: fill_value={fill_value}")
            elif not isinstance(fill_value, (int, float)):
                raise ValueError(message + f"Received: fill_value={fill_value}")
        self.fill_value = fill_value
        self.value_range = tuple(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        height, width = self._image_size(images)
        seed = seed or self.generator
        sides = ops.sqrt(random.uniform((batch, 2), self.scale[0], self.scale[1], dtype=self.compute_dtype, seed=seed))
        x0, x1 = crop_bounds(self, batch, width, sides[:, 0], seed)
        y0, y1 = crop_bounds(self, batch, height, sides[:, 1], seed)
        probability = random.uniform((batch,), self.factor[0], self.factor[1], seed=seed)
        apply = ops.less(random.uniform((batch,), seed=seed), probability)
        if self.fill_value is None:
            fill = random.normal(tuple(images.shape), dtype=self.compute_dtype, seed=seed) * self.value_range[1]
        else:
            fill = ops.full_like(images, 0.0, dtype=self.compute_dtype) + ops.convert_to_tensor(
                self.fill_value, dtype=self.compute_dtype
            )
        fill = ops.clip(fill, self.value_range[0], self.value_range[1])
        return {"apply_erasing": apply, "batch_masks": box_masks(self, images, x0, x1, y0, y1), "fill_value": fill}

    def _transform_images(self, images, transformation, interpolation):
        erased = ops.where(transformation["batch_masks"], transformation["fill_value"], images)
        apply = ops.reshape(transformation["apply_erasing"], (-1, 1, 1, 1))
        return ops.where(apply, erased, images)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
            "seed": self.seed,
        }
