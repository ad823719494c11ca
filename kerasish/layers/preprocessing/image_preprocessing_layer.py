"""The base of Keras's image preprocessing and augmentation layers.

As in Keras, a layer draws a transformation (`get_random_transformation`, from its own SeedGenerator,
so a seed gives the same draws on both engines) and applies it (`transform_images`,
`transform_labels`, `transform_segmentation_masks`). The input is a batch or a single image, or a dict
with "images" and optionally "labels" and "segmentation_masks". A single image is handled as a batch of
one. Augmentation happens only with `training=True`, which is `call`'s default, as in Keras: calling the
layer directly augments; inside a model, fit trains with it and predict/evaluate skip it. Called on numpy
arrays the layers return tensors (`numpy.asarray` reads them), so they also run in a data pipeline.
Bounding boxes are not supported (a dict with "bounding_boxes" is refused).
"""

import math

from kerasish import ops
from kerasish.layers.arguments import standardize_data_format
from kerasish.layers.layer import Layer


class BaseImagePreprocessingLayer(Layer):
    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor=None, bounding_box_format=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if bounding_box_format is not None:
            raise ValueError(
                f"{type(self).__name__}: bounding boxes are not supported by kerasish's image layers. "
                f"Received: bounding_box_format={bounding_box_format!r}"
            )
        self.bounding_box_format = None
        self.data_format = standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(
                f"Layer {type(self).__name__} does not take a `factor` argument. Received: factor={factor}"
            )

    # ----- arguments ---------------------------------------------------------------------

    def _set_factor(self, factor):
        low, high = self._FACTOR_BOUNDS
        message = (
            f"The `factor` argument should be a number (or a list of two numbers) in the range [{low}, {high}]. "
            f"Received: factor={factor}"
        )
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(message)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if factor < low or factor > high:
                raise ValueError(message)
            factor = abs(factor)
            lower, upper = max(-factor, low), factor
        else:
            raise ValueError(message)
        self.factor = (lower, upper)

    def _set_value_range(self, value_range):
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(
                f"The `value_range` argument should be a list of two numbers. Received: value_range={value_range}"
            )
        self.value_range = tuple(sorted(value_range))

    @staticmethod
    def _check_choice(name, value, supported):
        if value not in supported:
            raise NotImplementedError(f"Unknown `{name}` {value}. Expected of one {supported}.")

    # ----- shapes ------------------------------------------------------------------------

    @property
    def _height_axis(self):
        return -3 if self.data_format == "channels_last" else -2

    @property
    def _width_axis(self):
        return -2 if self.data_format == "channels_last" else -1

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else -3

    def _batch_size(self, images):
        batch = images.shape[0]
        if batch is None:
            raise ValueError(
                f"{type(self).__name__}: the batch size must be known to draw one transformation per image, "
                f"got images of shape {tuple(images.shape)}"
            )
        return int(batch)

    def _image_size(self, images):
        height, width = images.shape[self._height_axis], images.shape[self._width_axis]
        if height is None or width is None:
            raise ValueError(
                f"{type(self).__name__}: the height and width must be known, got images of shape {tuple(images.shape)}"
            )
        return int(height), int(width)

    @staticmethod
    def _transform_value_range(images, original_range, target_range):
        if tuple(original_range) == tuple(target_range):
            return images
        (low, high), (new_low, new_high) = original_range, target_range
        return (images - low) * ((new_high - new_low) / (high - low)) + new_low

    # ----- the transformation ------------------------------------------------------------

    def get_random_transformation(self, data, training=True, seed=None):
        return None

    def transform_images(self, images, transformation, training=True):
        images = ops.cast(images, self.compute_dtype)
        if training and transformation is not None:
            images = self._transform_images(images, transformation, getattr(self, "interpolation", "bilinear"))
        return images

    def _transform_images(self, images, transformation, interpolation):
        raise NotImplementedError(f"{type(self).__name__} does not define `_transform_images`")

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if training and transformation is not None:
            return self._transform_images(segmentation_masks, transformation, "nearest")
        return segmentation_masks

    def call(self, data, training=True):
        images = images_of(data)
        rank = len(images.shape)
        if rank not in (3, 4):
            raise ValueError(
                f"{type(self).__name__}: Expected image tensor to have rank 3 (single image) or 4 (batch of images). "
                f"Received: data.shape={tuple(images.shape)}"
            )
        if isinstance(data, dict) and "bounding_boxes" in data:
            raise ValueError(f"{type(self).__name__}: bounding boxes are not supported by kerasish's image layers")
        unbatched = rank == 3

        def batch(x):
            return ops.expand_dims(x, 0) if unbatched else x

        def unbatch(x):
            return ops.squeeze(x, 0) if unbatched else x

        if not isinstance(data, dict):
            images = batch(images)
            transformation = self.get_random_transformation(images, training=training)
            return unbatch(self.transform_images(images, transformation, training=training))
        batched = {key: batch(value) for key, value in data.items()}
        transformation = self.get_random_transformation(batched, training=training)
        result = dict(data)
        result["images"] = unbatch(self.transform_images(batched["images"], transformation, training=training))
        if "labels" in data:
            result["labels"] = unbatch(self.transform_labels(batched["labels"], transformation, training=training))
        if "segmentation_masks" in data:
            result["segmentation_masks"] = unbatch(
                self.transform_segmentation_masks(batched["segmentation_masks"], transformation, training=training)
            )
        return result

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def images_of(data):
    """The images of a layer's input: the "images" entry of a dict, else the input itself."""
    return data["images"] if isinstance(data, dict) else data


def affine_matrix(angle, translate_x, translate_y, scale, shear_x, shear_y, height, width):
    """Keras's `_compute_affine_matrix` about the image centre: (batch, 8) transforms for affine_transform from
    angles and shears in degrees, translations in pixels."""
    radians = math.pi / 180.0
    angle, shear_x, shear_y = angle * radians, ops.tan(shear_x * radians), ops.tan(shear_y * radians)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = ops.cos(angle), ops.sin(angle)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (shear_y * -sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zero = ops.zeros_like(a0)
    return ops.stack([a0, a1, a2, b0, b1, b2, zero, zero], axis=1)
