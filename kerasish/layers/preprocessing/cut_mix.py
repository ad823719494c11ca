"""CutMix: a rectangle of each image replaced by the same rectangle of another image of the batch (a random
permutation); labels mixed by the area kept. The rectangle's sides are sqrt(1 - lambda) of the image's, lambda
drawn from Beta(alpha, alpha) with alpha drawn from `factor` once per batch. kerasish draws alpha from 16
evenly spaced values of the factor range (its Beta draw takes a fixed parameter)."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of
from kerasish.layers.preprocessing.random_erasing import box_masks, crop_bounds

ALPHA_LEVELS = 16


class CutMix(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def _mix_weight(self, batch, seed):
        low, high = self.factor
        alphas = [low + (level + 0.5) * (high - low) / ALPHA_LEVELS + 1e-6 for level in range(ALPHA_LEVELS)]
        draws = ops.stack([random.beta((batch,), a, a, dtype=self.compute_dtype, seed=seed) for a in alphas])
        level = random.randint((1,), 0, ALPHA_LEVELS, seed=seed)
        return ops.take(draws, level, axis=0)[0]

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        height, width = self._image_size(images)
        seed = seed or self.generator
        ratio = ops.sqrt(1.0 - self._mix_weight(batch, seed))
        x0, x1 = crop_bounds(self, batch, width, ratio, seed)
        y0, y1 = crop_bounds(self, batch, height, ratio, seed)
        permutation = random.shuffle(ops.arange(batch, dtype="int32"), seed=seed)
        kept = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        return {
            "permutation_order": permutation,
            "batch_masks": box_masks(self, images, x0, x1, y0, y1),
            "mix_weight": kept,
        }

    def _transform_images(self, images, transformation, interpolation):
        partners = ops.take(images, transformation["permutation_order"], axis=0)
        return ops.where(transformation["batch_masks"], partners, images)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        labels = ops.cast(labels, self.compute_dtype)
        weight = ops.reshape(transformation["mix_weight"], (-1, 1))
        return weight * labels + (1.0 - weight) * ops.take(labels, transformation["permutation_order"], axis=0)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
