"""MixUp: each image (and its label) mixed with another of the batch (a random permutation) with a weight
drawn from Beta(alpha, alpha). Call it on {"images": ..., "labels": ...} to mix the labels too."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer, images_of


class MixUp(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"MixUp: `alpha` must be a positive number. Received: alpha={alpha!r}")
        self.alpha = alpha
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = images_of(data)
        batch = self._batch_size(images)
        seed = seed or self.generator
        permutation = random.shuffle(ops.arange(batch, dtype="int32"), seed=seed)
        weight = random.beta((batch,), self.alpha, self.alpha, dtype=self.compute_dtype, seed=seed)
        return {"mix_weight": weight, "permutation_order": permutation}

    def _transform_images(self, images, transformation, interpolation):
        weight = ops.reshape(transformation["mix_weight"], (-1, 1, 1, 1))
        partners = ops.take(images, transformation["permutation_order"], axis=0)
        return weight * images + (1.0 - weight) * partners

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        labels = ops.cast(labels, self.compute_dtype)
        weight = ops.reshape(transformation["mix_weight"], (-1, 1))
        return weight * labels + (1.0 - weight) * ops.take(labels, transformation["permutation_order"], axis=0)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        return self._transform_images(ops.cast(segmentation_masks, self.compute_dtype), transformation, "nearest")

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
