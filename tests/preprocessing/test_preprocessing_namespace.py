"""kerasish.preprocessing: Keras's `keras.preprocessing` names, and smart_resize against Keras's."""

import numpy
import pytest

import kerasish
from kerasish import preprocessing, utils


def test_the_names_are_the_utilities():
    assert preprocessing.image_dataset_from_directory is utils.image_dataset_from_directory
    assert preprocessing.text_dataset_from_directory is utils.text_dataset_from_directory
    assert preprocessing.timeseries_dataset_from_array is utils.timeseries_dataset_from_array
    assert preprocessing.sequence.pad_sequences is utils.pad_sequences
    for name in ("array_to_img", "img_to_array", "load_img", "save_img"):
        assert getattr(preprocessing.image, name) is getattr(utils, name)
    assert kerasish.preprocessing is preprocessing


def test_smart_resize_crops_to_the_aspect_ratio_then_resizes():
    image = numpy.arange(8 * 4 * 1, dtype="float32").reshape(8, 4, 1)
    resized = numpy.asarray(preprocessing.image.smart_resize(image, (2, 2)))
    assert resized.shape == (2, 2, 1)
    # the centred 4x4 crop (rows 2..5), halved by bilinear resizing
    crop = image[2:6]
    numpy.testing.assert_allclose(resized[..., 0], crop.reshape(2, 2, 2, 2, 1).mean(axis=(1, 3))[..., 0])
    batch = numpy.asarray(preprocessing.image.smart_resize(numpy.stack([image, image]), (3, 3)))
    assert batch.shape == (2, 3, 3, 1)
    with pytest.raises(ValueError, match="incorrect rank, of shape \\(8, 4\\)"):
        preprocessing.image.smart_resize(image[..., 0], (2, 2))
    with pytest.raises(TypeError, match="unexpected keyword arguments: \\['antialias'\\]"):
        preprocessing.image.smart_resize(image, (2, 2), antialias=True)


@pytest.mark.parametrize(
    "size, interpolation",
    [
        ((5, 3), "bilinear"),
        # the other filters are checked against Keras's resize in tests/ops/test_image_ops.py
        pytest.param((4, 9), "nearest", marks=pytest.mark.slow),
        pytest.param((6, 6), "bicubic", marks=pytest.mark.slow),
    ],
)
def test_smart_resize_matches_keras(size, interpolation):
    keras = pytest.importorskip("keras")
    image = numpy.random.default_rng(1).uniform(0, 255, size=(2, 7, 10, 3)).astype("float32")
    ours = numpy.asarray(preprocessing.image.smart_resize(image, size, interpolation=interpolation))
    theirs = numpy.asarray(keras.preprocessing.image.smart_resize(image, size, interpolation=interpolation))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-3)


def test_array_to_img_needs_pillow_as_in_keras(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="The use of `array_to_img` requires PIL"):
        preprocessing.image.array_to_img(numpy.zeros((2, 2, 3)))


def test_array_to_img_with_pillow():
    pytest.importorskip("PIL")
    image = numpy.random.default_rng(2).uniform(0, 1, size=(3, 4, 3))
    picture = preprocessing.image.array_to_img(image)
    assert picture.size == (4, 3) and picture.mode == "RGB"
    expected = (image - image.min()) / (image.max() - image.min()) * 255
    numpy.testing.assert_array_equal(numpy.asarray(picture), expected.astype("uint8"))
    with pytest.raises(ValueError, match="Got array with shape: \\(3, 4\\)"):
        preprocessing.image.array_to_img(image[..., 0])
