"""Image preprocessing layers against Keras 3 (fixtures made by tests/fixtures/make_image_ops_fixtures.py with
JAX): Resizing and CenterCrop outputs, and each augmentation layer's `transform_images` for the parameters a
Keras layer drew (the deterministic part of a random layer), so the arithmetic given the draws is Keras's.

Tolerance: pixel values up to 255 in float32 (ulp 1.5e-5 near 255); affine sampling and resizing sum a few
weighted pixels whose weights kerasish computes in float64 and JAX in float32 (measured up to 2.1e-4 for
bicubic), so 5e-4 absolute (2e-6 relative) allows the rounding and still catches a shifted sample
(differences of whole pixel values)."""

import os

import numpy
import pytest

from kerasish import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "image_ops", "layers.npz")
TOLERANCE = dict(rtol=0, atol=5e-4)


@pytest.fixture(scope="module")
def expected():
    with numpy.load(FIXTURES) as data:
        return dict(data)


def test_resizing_center_crop_and_clahe_match_keras(expected):
    x = expected["images"]
    cases = {
        "resizing": layers.Resizing(6, 8),
        "resizing_crop": layers.Resizing(6, 6, interpolation="bicubic", crop_to_aspect_ratio=True),
        "resizing_pad": layers.Resizing(6, 6, pad_to_aspect_ratio=True, fill_value=1.0),
        "center_crop": layers.CenterCrop(5, 7),
        "center_crop_upscale": layers.CenterCrop(14, 9),
        "clahe": layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(3, 4), clip_limit=2.0),
    }
    for key, layer in cases.items():
        numpy.testing.assert_allclose(numpy.asarray(layer(x)), expected[key], err_msg=key, **TOLERANCE)
        numpy.testing.assert_allclose(numpy.asarray(layer(x, training=False)), expected[key], err_msg=key, **TOLERANCE)


RANDOM_LAYERS = {
    "flip_horizontal": lambda: layers.RandomFlip("horizontal", seed=1),
    "flip_both": lambda: layers.RandomFlip(seed=2),
    "rotation": lambda: layers.RandomRotation(0.3, fill_mode="constant", fill_value=7.0, seed=3),
    "rotation_nearest": lambda: layers.RandomRotation(0.2, fill_mode="reflect", interpolation="nearest", seed=4),
    "zoom": lambda: layers.RandomZoom((-0.3, 0.4), (-0.2, 0.2), fill_mode="wrap", seed=5),
    "translation": lambda: layers.RandomTranslation(0.3, 0.2, fill_mode="nearest", seed=6),
    "shear": lambda: layers.RandomShear(0.3, 0.2, seed=7),
    "contrast": lambda: layers.RandomContrast(0.5, seed=8),
    "brightness": lambda: layers.RandomBrightness(0.3, seed=9),
    "grayscale": lambda: layers.RandomGrayscale(0.5, seed=10),
    "erasing": lambda: layers.RandomErasing(seed=11),
    "mix_up": lambda: layers.MixUp(seed=12),
    "cut_mix": lambda: layers.CutMix(seed=13),
    "saturation": lambda: layers.RandomSaturation(0.6, seed=14),
    "hue": lambda: layers.RandomHue(0.4, seed=15),
    "color_degeneration": lambda: layers.RandomColorDegeneration(0.7, seed=16),
    "sharpness": lambda: layers.RandomSharpness(0.8, seed=17),
    "solarization": lambda: layers.Solarization(0.4, 0.6, seed=18),
    "posterization": lambda: layers.RandomPosterization((2, 6), seed=19),
    "invert": lambda: layers.RandomInvert(0.8, seed=20),
    "auto_contrast": lambda: layers.AutoContrast(),
    "equalization": lambda: layers.Equalization(),
    "gaussian_blur": lambda: layers.RandomGaussianBlur(0.8, kernel_size=(5, 3), sigma=(0.5, 1.5), seed=21),
    "perspective": lambda: layers.RandomPerspective(0.9, scale=0.4, fill_value=3.0, seed=22),
}


@pytest.mark.parametrize("name", sorted(RANDOM_LAYERS))
def test_transform_given_keras_draws_matches_keras(expected, name):
    layer = RANDOM_LAYERS[name]()
    drawn = {
        key.split(":")[1]: value
        for key, value in expected.items()
        if key.startswith(name + ":") and key.split(":")[1] not in ("output", "labels")
    }
    numpy.testing.assert_allclose(
        numpy.asarray(layer.transform_images(expected["images"], drawn)), expected[f"{name}:output"], **TOLERANCE
    )
    if f"{name}:labels" in expected:
        numpy.testing.assert_allclose(
            numpy.asarray(layer.transform_labels(expected["labels"], drawn)), expected[f"{name}:labels"], atol=1e-6
        )
