"""CenterCrop: the central (height, width) window; an image smaller than that on either side is cropped to
the target aspect ratio and resized instead (Keras's smart_resize)."""

from kerasish import ops
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer
from kerasish.layers.preprocessing.resizing import set_spatial_size
from kerasish.ops import image


class CenterCrop(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        for name, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"CenterCrop: `{name}` must be a positive integer. Received: {name}={value!r}")
        self.height, self.width = height, width

    def transform_images(self, images, transformation=None, training=True):
        images = ops.cast(images, self.compute_dtype)
        return self._crop(images, "bilinear")

    def transform_segmentation_masks(self, segmentation_masks, transformation=None, training=True):
        return self._crop(segmentation_masks, "nearest")

    def _crop(self, images, interpolation):
        height, width = self._image_size(images)
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            return image.crop_images(
                images,
                top_cropping=top,
                left_cropping=left,
                target_height=self.height,
                target_width=self.width,
                data_format=self.data_format,
            )
        return image.resize(
            images,
            (self.height, self.width),
            interpolation=interpolation,
            crop_to_aspect_ratio=True,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape):
        return set_spatial_size(self, input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
