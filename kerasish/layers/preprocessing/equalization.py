"""Equalization: histogram equalisation of each channel on the 0-255 scale, in training (as in Keras, the
histogram of a channel is taken over the whole batch). A channel with at most one occupied bin is kept."""

from kerasish import ops
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer


class Equalization(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 2:
            raise ValueError(f"Equalization: `bins` must be an integer >= 2. Received: bins={bins!r}")
        self.bins = bins
        self._set_value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        return {} if training else None

    def _transform_images(self, images, transformation, interpolation):
        bins = self.bins
        channels_first = self.data_format == "channels_first"
        x = ops.moveaxis(images, 1, -1) if channels_first else images
        x = self._transform_value_range(x, self.value_range, (0, 255))
        channels = int(x.shape[-1])
        index = ops.clip(ops.cast(x * ((bins - 1) / 255.0), "int32"), 0, bins - 1)
        keys = index + ops.arange(channels, dtype="int32") * bins  # one histogram per channel
        flat_keys = ops.reshape(keys, (-1,))
        histogram = ops.segment_sum(ops.ones_like(flat_keys, dtype=self.compute_dtype), flat_keys, channels * bins)
        histogram = ops.reshape(histogram, (channels, bins))
        cdf = ops.cumsum(histogram, axis=-1)
        cdf_min = ops.min(ops.where(ops.greater(cdf, 0), cdf, float("inf")), axis=-1, keepdims=True)
        denominator = cdf[:, -1:] - cdf_min
        denominator = ops.where(ops.equal(denominator, 0), 1.0, denominator)
        lookup = ops.clip(ops.round((cdf - cdf_min) * 255.0 / denominator), 0.0, 255.0)
        equalized = ops.take(ops.reshape(lookup, (-1,)), keys)
        occupied = ops.sum(ops.cast(ops.greater(histogram, 0), "int32"), axis=-1)
        equalized = ops.where(ops.less_equal(occupied, 1), x, equalized)
        equalized = self._transform_value_range(equalized, (0, 255), self.value_range)
        return ops.moveaxis(equalized, -1, 1) if channels_first else equalized

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
