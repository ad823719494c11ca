"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): on the 0-255 scale, each image is cut into a grid of
tiles (padded symmetrically to whole tiles); each tile's 256-bin histogram per channel is clipped at
clip_limit times its mean bin and the excess spread evenly, its cumulative sum becomes the tile's mapping, and
each pixel's value is the bilinear blend of the mappings of the four nearest tile centres. Not random, applied
in training and inference, as in Keras."""

from kerasish import ops
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer

BINS = 256


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(clip_limit, (int, float)) or isinstance(clip_limit, bool):
            raise ValueError(f"`clip_limit` must be a number. Received: clip_limit={clip_limit!r}")
        grid = tuple(tile_grid_size) if isinstance(tile_grid_size, (tuple, list)) else ()
        if len(grid) != 2 or not all(isinstance(g, int) and g > 0 for g in grid):
            raise ValueError(
                "`tile_grid_size` must be a tuple of two positive integers. "
                f"Received: tile_grid_size={tile_grid_size!r}"
            )
        self._set_value_range(value_range)
        self.clip_limit = clip_limit
        self.tile_grid_size = grid

    def transform_images(self, images, transformation=None, training=True):
        images = ops.cast(images, self.compute_dtype)
        channels_first = self.data_format == "channels_first"
        x = ops.moveaxis(images, 1, -1) if channels_first else images
        x = self._transform_value_range(x, self.value_range, (0, 255))
        x = self._transform_value_range(self._equalize(x), (0, 255), self.value_range)
        return ops.moveaxis(x, -1, 1) if channels_first else x

    def _equalize(self, images):
        batch = self._batch_size(images)
        height, width, channels = (int(d) for d in images.shape[1:])
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded = ops.pad(
            images, ((0, 0), (0, tile_h * grid_h - height), (0, tile_w * grid_w - width), (0, 0)), mode="symmetric"
        )
        levels = ops.clip(ops.cast(padded, "int32"), 0, BINS - 1)
        tile_of_row = ops.reshape(ops.arange(tile_h * grid_h, dtype="int32") // tile_h, (1, -1, 1, 1))
        tile_of_column = ops.reshape(ops.arange(tile_w * grid_w, dtype="int32") // tile_w, (1, 1, -1, 1))
        image_index = ops.reshape(ops.arange(batch, dtype="int32"), (-1, 1, 1, 1))
        channel_index = ops.reshape(ops.arange(channels, dtype="int32"), (1, 1, 1, -1))
        # one histogram per (image, tile row, tile column, channel)
        tile_keys = ((image_index * grid_h + tile_of_row) * grid_w + tile_of_column) * channels + channel_index
        keys = ops.reshape(tile_keys * BINS + levels, (-1,))
        count = batch * grid_h * grid_w * channels
        histograms = ops.segment_sum(ops.ones_like(keys, dtype=self.compute_dtype), keys, count * BINS)
        histograms = ops.reshape(histograms, (batch, grid_h, grid_w, channels, BINS))
        pixels = tile_h * tile_w
        if self.clip_limit > 0:
            clipped = ops.clip(histograms, 0.0, self.clip_limit * pixels / BINS)
            histograms = clipped + ops.sum(histograms - clipped, axis=-1, keepdims=True) / BINS
        cdf = ops.cumsum(histograms, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        denominator = pixels - cdf_min
        mapping = ops.clip((cdf - cdf_min) * 255.0 / ops.where(ops.equal(denominator, 0), 1.0, denominator), 0, 255)
        # the border tiles repeated once on each side, so every pixel has four neighbouring tile centres
        mapping = ops.concatenate([mapping[:, :1], mapping, mapping[:, -1:]], axis=1)
        mapping = ops.concatenate([mapping[:, :, :1], mapping, mapping[:, :, -1:]], axis=2)
        table = ops.reshape(mapping, (-1,))

        def neighbours(size, tile, grid):
            position = (ops.arange(size, dtype=self.compute_dtype) - tile / 2.0) / tile + 1.0
            low = ops.floor(position)
            weight = position - low
            low_index = ops.cast(ops.clip(low, 0, grid + 1), "int32")
            high_index = ops.cast(ops.clip(low + 1.0, 0, grid + 1), "int32")
            return low_index, high_index, weight

        top, bottom, down = neighbours(tile_h * grid_h, tile_h, grid_h)
        left, right, across = neighbours(tile_w * grid_w, tile_w, grid_w)
        top, bottom, down = (ops.reshape(v, (1, -1, 1, 1)) for v in (top, bottom, down))
        left, right, across = (ops.reshape(v, (1, 1, -1, 1)) for v in (left, right, across))
        stride_x = BINS * channels
        stride_y = stride_x * (grid_w + 2)
        base = image_index * (stride_y * (grid_h + 2)) + channel_index * BINS + levels

        def mapped(row, column):
            return ops.take(table, base + row * stride_y + column * stride_x)

        upper = mapped(top, left) * (1.0 - across) + mapped(top, right) * across
        lower = mapped(bottom, left) * (1.0 - across) + mapped(bottom, right) * across
        result = upper * (1.0 - down) + lower * down
        return result[:, :height, :width, :]

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "clip_limit": self.clip_limit,
            "tile_grid_size": self.tile_grid_size,
        }
