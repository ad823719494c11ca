"""RandomZoom: each image zoomed about its centre by 1 + a factor drawn from height_factor (and width_factor,
else the same zoom both ways); a positive factor zooms out, as in Keras."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import images_of
from kerasish.layers.preprocessing.random_rotation import AffineLayer


def factor_range(factor, name, low, inclusive_low, message):
    def check(value):
        if value > 1.0 or value < low or (value == low and not inclusive_low):
            raise ValueError(message + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return (-abs(factor), abs(factor))
    raise ValueError(message + f"Received: {name}={factor}")


class RandomZoom(AffineLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = (
        "The `height_factor` and `width_factor` arguments should be a number (or a list of two numbers) in the "
        "range (-1.0, 1.0]. "
    )

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = factor_range(
            height_factor, "height_factor", -1.0, False, self._FACTOR_VALIDATION_ERROR
        )
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_range(
                width_factor, "width_factor", -1.0, False, self._FACTOR_VALIDATION_ERROR
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
        seed = seed or self.generator
        height_zoom = random.uniform((batch, 1), 1.0 + self.height_lower, 1.0 + self.height_upper, seed=seed)
        width_zoom = height_zoom
        if self.width_factor is not None:
            width_zoom = random.uniform((batch, 1), 1.0 + self.width_lower, 1.0 + self.width_upper, seed=seed)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom}

    def _matrix(self, transformation, height, width):
        return zoom_matrix(transformation["width_zoom"], transformation["height_zoom"], height, width)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            **self._sampling_config(),
        }


def zoom_matrix(width_zoom, height_zoom, height, width):
    x_offset = (width - 1.0) / 2.0 * (1.0 - width_zoom)
    y_offset = (height - 1.0) / 2.0 * (1.0 - height_zoom)
    zeros = ops.zeros_like(width_zoom)
    return ops.concatenate([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], axis=1)
