"""Resizing: images resized to (height, width) with `keras.ops.image.resize` (in training and inference)."""

from kerasish import ops
from kerasish.backends.primitives.image import RESIZE_INTERPOLATIONS
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer
from kerasish.ops import image


def set_spatial_size(layer, input_shape, height, width):
    """`input_shape` with its height and width replaced (a batch or a single image)."""
    if len(input_shape) not in (3, 4):
        raise ValueError(
            f"{type(layer).__name__}: Expected image tensor to have rank 3 (single image) or 4 (batch of images). "
            f"Received: input_shape={tuple(input_shape)}"
        )
    shape = list(input_shape)
    shape[layer._height_axis], shape[layer._width_axis] = height, width
    return tuple(shape)


class Resizing(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(
        self,
        height,
        width,
        interpolation="bilinear",
        crop_to_aspect_ratio=False,
        pad_to_aspect_ratio=False,
        fill_mode="constant",
        fill_value=0.0,
        antialias=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        for name, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Resizing: `{name}` must be a positive integer. Received: {name}={value!r}")
        self._check_choice("interpolation", interpolation, RESIZE_INTERPOLATIONS)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def transform_images(self, images, transformation=None, training=True):
        return image.resize(
            ops.cast(images, self.compute_dtype),
            (self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def transform_segmentation_masks(self, segmentation_masks, transformation=None, training=True):
        return image.resize(
            segmentation_masks,
            (self.height, self.width),
            interpolation="nearest",
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape):
        return set_spatial_size(self, input_shape, self.height, self.width)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
        }
