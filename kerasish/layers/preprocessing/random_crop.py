"""RandomCrop: one random (height, width) window per batch in training. At inference, and in training when
the image is not larger than the target on both sides, the largest central window of the target aspect ratio
is resized to the target (as Keras's docstring says; Keras 3.15's code returns the input unchanged at
inference, which contradicts its own output shape)."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.layers.preprocessing.resizing import set_spatial_size
from kerasish.ops import image


class RandomCrop(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        for argument, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"RandomCrop: `{argument}` must be a positive integer. Received: {argument}={value!r}")
        self.height, self.width = height, width
        self.seed = seed if seed is not None else random.make_default_seed()
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = images_of(data)
        height, width = self._image_size(images)
        if not (training and height > self.height and width > self.width):
            return None
        seed = seed or self.generator
        top = ops.cast(random.uniform((1,), 0.0, float(height - self.height + 1), seed=seed), "int32")
        left = ops.cast(random.uniform((1,), 0.0, float(width - self.width + 1), seed=seed), "int32")
        return {"top": top, "left": left}

    def transform_images(self, images, transformation, training=True):
        return self._crop(ops.cast(images, self.compute_dtype), transformation, "bilinear")

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self._crop(segmentation_masks, transformation, "nearest")

    def _crop(self, images, transformation, interpolation):
        if transformation is None:
            return image.resize(
                images,
                (self.height, self.width),
                interpolation=interpolation,
                crop_to_aspect_ratio=True,
                data_format=self.data_format,
            )
        rows = transformation["top"] + ops.arange(self.height, dtype="int32")
        columns = transformation["left"] + ops.arange(self.width, dtype="int32")
        rank = len(images.shape)
        images = ops.take(images, rows, axis=self._height_axis % rank)
        return ops.take(images, columns, axis=self._width_axis % rank)

    def compute_output_shape(self, input_shape):
        return set_spatial_size(self, input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width, "seed": self.seed}
