import os

import numpy
import pytest

from kerasish.utils.image_utils import img_to_array, load_img, read_png, save_img, write_png

IMAGES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "images")


def pixels():
    with numpy.load(os.path.join(IMAGES, "pil_rgb_pixels.npz")) as data:
        return data["pixels"]


@pytest.mark.parametrize(
    "name, channels", [("pil_rgb.png", slice(0, 3)), ("pil_gray.png", slice(0, 1)), ("pil_rgba.png", slice(0, 3))]
)
def test_png_decoder_matches_pillow_on_all_filter_types(name, channels):
    expected = pixels()[..., channels]
    numpy.testing.assert_array_equal(read_png(os.path.join(IMAGES, name))[..., channels], expected)


def test_png_round_trip_and_resize(tmp_path):
    image = numpy.random.default_rng(0).integers(0, 256, (6, 9, 3), dtype=numpy.uint8)
    path = tmp_path / "x.png"
    write_png(path, image)
    numpy.testing.assert_array_equal(load_img(path), image)
    assert load_img(path, target_size=(12, 18)).shape == (12, 18, 3)
    assert load_img(path, target_size=(3, 3), interpolation="bilinear").shape == (3, 3, 3)
    assert load_img(path, color_mode="grayscale").shape == (6, 9, 1)
    assert img_to_array(load_img(path), data_format="channels_first").shape == (3, 6, 9)


def test_save_img_scales_to_full_range(tmp_path):
    path = tmp_path / "y.png"
    save_img(path, numpy.linspace(-1, 1, 12, dtype=numpy.float32).reshape(3, 4, 1))
    image = read_png(path)
    assert image.min() == 0 and image.max() == 255


def test_bad_color_mode_is_named():
    with pytest.raises(ValueError, match="color_mode='cmyk'"):
        load_img(os.path.join(IMAGES, "pil_rgb.png"), color_mode="cmyk")
