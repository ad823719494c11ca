import os
import struct
import sys
import zlib

import numpy
import pytest

from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.utils.image_utils import (
    PNG_SIGNATURE,
    img_to_array,
    load_img,
    read_png,
    read_pnm,
    save_img,
    write_png,
)
from tests.time_limit import returns_within

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


@pytest.mark.parametrize("content", [b"P5 2 2", b"P5 2 2 255\n\x01\x02", b"P6 # a comment"])
def test_a_truncated_pgm_is_an_error_naming_the_file_not_a_hang(tmp_path, content):
    path = tmp_path / "bad.pgm"
    path.write_bytes(content)
    outcome = returns_within(lambda: read_pnm(path))
    assert isinstance(outcome.get("error"), UnreadableFileError) and "bad.pgm" in str(outcome["error"])


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_png_bomb_is_refused_before_it_is_decompressed(tmp_path):
    path = tmp_path / "bomb.png"
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
    path.write_bytes(PNG_SIGNATURE + header + _png_chunk(b"IDAT", zlib.compress(bytes(1 << 20))))
    with pytest.raises(UnreadableFileError, match=r"bomb.png: 100000x100000 pixels"):
        read_png(path)


@pytest.mark.parametrize("cut", ["no header", "short pixel data", "cut in a chunk"])
def test_a_damaged_png_is_an_error_naming_the_file(tmp_path, cut):
    path = tmp_path / "damaged.png"
    write_png(path, numpy.zeros((4, 5, 3), numpy.uint8))
    data = path.read_bytes()
    header_end = len(PNG_SIGNATURE) + 25
    damaged = {
        "no header": PNG_SIGNATURE + data[header_end:],
        "short pixel data": data[:header_end] + _png_chunk(b"IDAT", zlib.compress(bytes(10))),
        "cut in a chunk": data[: header_end + 4],
    }[cut]
    path.write_bytes(damaged)
    with pytest.raises(UnreadableFileError, match="damaged.png"):
        read_png(path)


def test_save_img_takes_keras_arguments_and_casts_as_keras(tmp_path, monkeypatch):
    """Keras's signature (data_format, file_format, scale): positional arguments land where Keras puts
    them; the scaled pixels are cast to uint8 as Keras's array_to_img casts them (truncated)."""
    monkeypatch.setitem(sys.modules, "PIL", None)
    x = numpy.array([0.0, 1.0, 2.0, 7.0], "float32").reshape(1, 4, 1)
    save_img(tmp_path / "a.png", x, "channels_last", "png", True)
    numpy.testing.assert_array_equal(read_png(tmp_path / "a.png")[0, :, 0], (x[0, :, 0] / 7 * 255).astype("uint8"))
    save_img(tmp_path / "b", numpy.moveaxis(x, -1, 0) * 30, "channels_first", "png", scale=False)
    numpy.testing.assert_array_equal(read_png(tmp_path / "b")[0, :, 0], [0, 30, 60, 210])


@pytest.mark.parametrize(
    "path, arguments, message",
    [
        ("c.jpg", {}, "file_format='jpeg'"),
        ("c.png", {"file_format": "bmp"}, "file_format='bmp'"),
        ("c.png", {"quality": 90}, r"\['quality'\]"),
    ],
)
def test_save_img_without_pillow_writes_png_only(tmp_path, monkeypatch, path, arguments, message):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=f"save_img: without Pillow only PNG is written.*{message}"):
        save_img(tmp_path / path, numpy.zeros((2, 2, 3)), **arguments)
    assert not (tmp_path / path).exists()


def test_save_img_with_pillow_writes_the_format_of_the_extension(tmp_path):
    image_module = pytest.importorskip("PIL.Image")
    x = numpy.random.default_rng(4).uniform(0, 255, (5, 6, 3))
    save_img(tmp_path / "d.jpg", x, quality=95)
    with image_module.open(tmp_path / "d.jpg") as picture:
        assert picture.format == "JPEG" and picture.size == (6, 5)
