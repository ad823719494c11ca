"""RandAugment: `num_ops` times, one of eleven augmentations (shear, translation, rotation, brightness,
colour degeneration, contrast, sharpness, posterization, solarization, auto-contrast, equalization) picked
at random for the batch, of strength `factor`."""

from kerasish import ops, random
from kerasish.layers.preprocessing.auto_contrast import AutoContrast
from kerasish.layers.preprocessing.equalization import Equalization
from kerasish.layers.preprocessing.image_preprocessing_layer import BaseImagePreprocessingLayer
from kerasish.layers.preprocessing.random_brightness import RandomBrightness
from kerasish.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from kerasish.layers.preprocessing.random_contrast import RandomContrast
from kerasish.layers.preprocessing.random_posterization import RandomPosterization
from kerasish.layers.preprocessing.random_rotation import RandomRotation
from kerasish.layers.preprocessing.random_sharpness import RandomSharpness
from kerasish.layers.preprocessing.random_shear import RandomShear
from kerasish.layers.preprocessing.random_translation import RandomTranslation
from kerasish.layers.preprocessing.solarization import Solarization


def add_augmenters(owner, names, value_range, interpolation, seed, data_format):
    """The augmentation layers `names` of strength `owner.factor`, set as attributes of `owner` (RandAugment,
    AugMix)."""
    factor = owner.factor
    colour = dict(value_range=value_range, seed=seed, data_format=data_format)
    makers = {
        "random_shear": lambda: RandomShear(
            x_factor=factor, y_factor=factor, interpolation=interpolation, seed=seed, data_format=data_format
        ),
        "random_translation": lambda: RandomTranslation(
            height_factor=factor, width_factor=factor, interpolation=interpolation, seed=seed, data_format=data_format
        ),
        "random_rotation": lambda: RandomRotation(
            factor=factor, interpolation=interpolation, seed=seed, data_format=data_format
        ),
        "random_brightness": lambda: RandomBrightness(factor=factor, **colour),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor=factor, **colour),
        "random_contrast": lambda: RandomContrast(factor=factor, **colour),
        "random_sharpness": lambda: RandomSharpness(factor=factor, **colour),
        "solarization": lambda: Solarization(
            addition_factor=factor, threshold_factor=factor, value_range=value_range, seed=seed
        ),
        "random_posterization": lambda: RandomPosterization(factor=max(1, int(8 * factor[1])), **colour),
        "auto_contrast": lambda: AutoContrast(value_range=value_range, data_format=data_format),
        "equalization": lambda: Equalization(value_range=value_range, data_format=data_format),
    }
    for name in names:
        setattr(owner, name, makers[name]())


class RandAugment(BaseImagePreprocessingLayer):
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _AUGMENT_LAYERS = [
        "random_shear",
        "random_translation",
        "random_rotation",
        "random_brightness",
        "random_color_degeneration",
        "random_contrast",
        "random_sharpness",
        "random_posterization",
        "solarization",
        "auto_contrast",
        "equalization",
    ]

    def __init__(
        self,
        value_range=(0, 255),
        num_ops=2,
        factor=0.5,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(num_ops, int) or isinstance(num_ops, bool) or num_ops < 0:
            raise ValueError(f"RandAugment: `num_ops` must be a non-negative integer. Received: num_ops={num_ops!r}")
        self.value_range = tuple(value_range)
        self.num_ops = num_ops
        self._set_factor(factor)
        self.interpolation = interpolation
        self.seed = seed
        self.generator = random.SeedGenerator(seed)
        add_augmenters(self, self._AUGMENT_LAYERS, value_range, interpolation, seed, data_format)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        seed = seed or self.generator
        choices = random.randint((self.num_ops,), 0, len(self._AUGMENT_LAYERS), seed=seed)
        transforms = {
            name: getattr(self, name).get_random_transformation(data, training=True, seed=seed)
            for name in self._AUGMENT_LAYERS
        }
        return {"transforms": transforms, "layer_idxes": choices}

    def _transform_images(self, images, transformation, interpolation):
        choices = transformation["layer_idxes"]
        for step in range(self.num_ops):
            for index, name in enumerate(self._AUGMENT_LAYERS):
                augmented = getattr(self, name).transform_images(images, transformation["transforms"][name])
                images = ops.where(ops.equal(choices[step], index), augmented, images)
        return images

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "num_ops": self.num_ops,
            "factor": self.factor,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }
