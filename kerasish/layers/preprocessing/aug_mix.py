"""AugMix: `num_chains` chains of up to `chain_depth` augmentations each (a step may be skipped), mixed with
Dirichlet(alpha) weights, then blended with the original by a Beta(alpha, alpha) weight and clipped to
value_range. Keras picks each step's augmentation with Python's `random`; kerasish draws it from the layer's
SeedGenerator (and applies the pick with `where`), so a traced static step picks anew on every replay and both
engines pick the same."""

from kerasish import ops, random
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer
from kerasish.layers.preprocessing.rand_augment import add_augmenters

AUGMENT_LAYERS_ALL = [
    "random_shear",
    "random_translation",
    "random_rotation",
    "random_posterization",
    "solarization",
    "auto_contrast",
    "equalization",
    "random_brightness",
    "random_color_degeneration",
    "random_contrast",
    "random_sharpness",
]
AUGMENT_LAYERS = AUGMENT_LAYERS_ALL[:7]


class AugMix(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        value_range=(0, 255),
        num_chains=3,
        chain_depth=3,
        factor=0.3,
        alpha=1.0,
        all_ops=True,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"AugMix: `{name}` must be a positive integer. Received: {name}={value!r}")
        if not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"AugMix: `alpha` must be a positive number. Received: alpha={alpha!r}")
        self.value_range = tuple(value_range)
        self.num_chains, self.chain_depth = num_chains, chain_depth
        self._set_factor(factor)
        self.alpha, self.all_ops, self.interpolation = alpha, all_ops, interpolation
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        self._augment_layers = AUGMENT_LAYERS_ALL if all_ops else AUGMENT_LAYERS
        add_augmenters(self, self._augment_layers, value_range, interpolation, seed, data_format)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        seed = seed or self.generator
        gammas = random.gamma((self.num_chains,), self.alpha, dtype=self.compute_dtype, seed=seed)
        steps = self.num_chains * self.chain_depth
        return {
            "chain_mixing_weights": gammas / ops.sum(gammas),
            "weight_sample": random.beta((1,), self.alpha, self.alpha, dtype=self.compute_dtype, seed=seed)[0],
            # a pick equal to the number of layers skips the step
            "layer_picks": random.randint((steps,), 0, len(self._augment_layers) + 1, seed=seed),
            "transforms": [
                {name: getattr(self, name).get_random_transformation(data, seed=seed) for name in self._augment_layers}
                for _ in range(steps)
            ],
        }

    def _transform_images(self, images, transformation, interpolation):
        weights, picks = transformation["chain_mixing_weights"], transformation["layer_picks"]
        mixed = ops.zeros_like(images)
        for chain in range(self.num_chains):
            chained = images
            for depth in range(self.chain_depth):
                step = chain * self.chain_depth + depth
                for index, name in enumerate(self._augment_layers):
                    augmented = getattr(self, name).transform_images(chained, transformation["transforms"][step][name])
                    chained = ops.where(ops.equal(picks[step], index), augmented, chained)
            mixed = mixed + chained * weights[chain]
        blend = transformation["weight_sample"]
        return ops.clip(blend * images + (1.0 - blend) * mixed, self.value_range[0], self.value_range[1])

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "num_chains": self.num_chains,
            "chain_depth": self.chain_depth,
            "factor": self.factor,
            "alpha": self.alpha,
            "all_ops": self.all_ops,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }
