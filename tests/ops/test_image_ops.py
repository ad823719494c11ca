"""kerasish.ops.image against Keras 3 (committed fixtures made by tests/fixtures/make_image_ops_fixtures.py
with JAX), on both engines; gradients against finite differences; bad arguments.

Tolerance: the fixtures are float32. Resampling sums up to a few dozen products of pixels in [0, 1) with
weights that kerasish computes in float64 and rounds once to float32, where JAX computes them in float32: the
results differ by a few float32 ulps of values below 2 (measured at most 8e-7), so 5e-6 absolute is ample and
still catches a shifted sample or a wrong filter (those move results by 1e-2 or more). Gathers, crops, pads,
patches and colour-space conversions are exact up to one rounding (1e-6)."""

import os

import numpy
import pytest

from kerasish import ops
from kerasish.ops import image
from tests.ops.engines import assert_gradients_match_finite_differences, run

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "image_ops", "ops.npz")
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
TOLERANCE = dict(rtol=0, atol=5e-6)


@pytest.fixture(scope="module")
def expected():
    with numpy.load(FIXTURES) as data:
        return dict(data)


KERAS_NAMES = (
    "affine_transform crop_images elastic_transform extract_patches extract_patches_3d gaussian_blur hsv_to_rgb "
    "map_coordinates pad_images perspective_transform resize rgb_to_grayscale rgb_to_hsv scale_and_translate "
    "sobel_edges ssim"
).split()


def test_namespace_lists_exactly_keras_names():
    assert sorted(image.__all__) == sorted(KERAS_NAMES)
    assert all(callable(getattr(image, name)) for name in KERAS_NAMES)
    assert ops.image is image


@pytest.mark.parametrize("interpolation", RESIZE_INTERPOLATIONS)
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("size", [(5, 7), (13, 17)])
def test_resize_matches_keras(expected, engine, interpolation, antialias, size):
    key = f"resize_{interpolation}_{int(antialias)}_{size[0]}x{size[1]}"
    got = run(
        engine, lambda x: image.resize(x, size, interpolation=interpolation, antialias=antialias), expected["images"]
    )
    numpy.testing.assert_allclose(got, expected[key], **TOLERANCE)


def test_resize_aspect_ratio_and_channels_first_match_keras(expected, engine):
    x = expected["images"]
    crop = run(engine, lambda v: image.resize(v, (6, 6), crop_to_aspect_ratio=True), x)
    pad = run(engine, lambda v: image.resize(v, (6, 6), pad_to_aspect_ratio=True, fill_value=0.5), x)
    first = run(engine, lambda v: image.resize(v, (5, 7), data_format="channels_first"), numpy.moveaxis(x, -1, 1))
    numpy.testing.assert_allclose(crop, expected["resize_crop_to_aspect_ratio"], **TOLERANCE)
    numpy.testing.assert_allclose(pad, expected["resize_pad_to_aspect_ratio"], **TOLERANCE)
    numpy.testing.assert_allclose(first, expected["resize_channels_first"], **TOLERANCE)


def test_resize_of_an_unbatched_integer_image_rounds_back_to_its_dtype():
    x = numpy.arange(48, dtype="uint8").reshape(4, 4, 3) * 5
    y = numpy.asarray(image.resize(x, (2, 2)))
    assert y.dtype == numpy.uint8 and y.shape == (2, 2, 3)
    reference = numpy.asarray(image.resize(x.astype("float32"), (2, 2)))
    numpy.testing.assert_array_equal(y, numpy.clip(numpy.round(reference), 0, 255).astype("uint8"))


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_affine_transform_matches_keras(expected, engine, fill_mode, interpolation):
    got = run(
        engine,
        lambda x, t: image.affine_transform(x, t, interpolation=interpolation, fill_mode=fill_mode, fill_value=0.25),
        expected["images"],
        expected["transforms"],
    )
    numpy.testing.assert_allclose(got, expected[f"affine_{fill_mode}_{interpolation}"], **TOLERANCE)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("order", [0, 1])
def test_map_coordinates_matches_keras(expected, engine, fill_mode, order):
    got = run(
        engine,
        lambda x, c: image.map_coordinates(x, c, order, fill_mode=fill_mode, fill_value=0.5),
        expected["map_input"],
        expected["map_coordinates"],
    )
    numpy.testing.assert_allclose(got, expected[f"map_{fill_mode}_{order}"], **TOLERANCE)


def test_colour_filters_patches_crops_and_pads_match_keras(expected, engine):
    x = expected["images"]
    cases = {
        "grayscale": (image.rgb_to_grayscale, x),
        "hsv": (image.rgb_to_hsv, x),
        "rgb": (image.hsv_to_rgb, expected["hsv_input"]),
        "blur_3x3": (image.gaussian_blur, x),
        "blur_5x3": (lambda v: image.gaussian_blur(v, kernel_size=(5, 3), sigma=(2.0, 0.7)), x),
        "sobel": (image.sobel_edges, x),
        "patches_2": (lambda v: image.extract_patches(v, 2), x),
        "patches_3_same": (lambda v: image.extract_patches(v, (3, 2), strides=(2, 3), padding="same"), x),
        "patches_dilated": (lambda v: image.extract_patches(v, 2, strides=1, dilation_rate=2), x),
        "patches_3d": (lambda v: image.extract_patches_3d(v, (2, 2, 3)), expected["volumes"]),
        "crop": (lambda v: image.crop_images(v, top_cropping=1, left_cropping=2, target_height=5, target_width=6), x),
        "pad": (lambda v: image.pad_images(v, top_padding=1, right_padding=3, target_height=12, target_width=20), x),
        "scale_and_translate": (
            lambda v: image.scale_and_translate(v, (2, 6, 9, 3), (0.6, 0.7), (0.5, -1.0), (1, 2), "bicubic"),
            x,
        ),
    }
    for key, (function, argument) in cases.items():
        numpy.testing.assert_allclose(run(engine, function, argument), expected[key], err_msg=key, **TOLERANCE)
    similarity = run(engine, lambda a, b: image.ssim(a, b, filter_size=5), x, expected["ssim_other"])
    numpy.testing.assert_allclose(similarity, expected["ssim"], **TOLERANCE)


def test_perspective_transform_matches_keras(expected, engine):
    start = numpy.stack([numpy.array([[0, 0], [11, 0], [0, 8], [11, 8]], "float32")] * 2)
    end = numpy.stack([numpy.array([[1, 1], [10, 0], [0, 7], [11, 6]], "float32")] * 2)
    got = run(engine, image.perspective_transform, expected["images"], start, end)
    # the homography comes from an 8x8 solve in float32 (coordinates up to 12): a few ulps of the coordinates
    numpy.testing.assert_allclose(got, expected["perspective"], rtol=0, atol=1e-5)


def test_gaussian_blur_takes_a_tensor_sigma(engine):
    x = numpy.random.default_rng(3).random((2, 7, 6, 2)).astype("float32")
    got = run(
        engine, lambda v, s: image.gaussian_blur(v, kernel_size=(5, 3), sigma=s), x, numpy.array([1.3, 0.6], "float32")
    )
    numpy.testing.assert_allclose(got, numpy.asarray(image.gaussian_blur(x, (5, 3), (1.3, 0.6))), rtol=1e-6, atol=1e-7)


def test_gradients_of_resize_affine_and_map_coordinates(engine):
    rng = numpy.random.default_rng(0)
    x = rng.random((2, 5, 6, 2))
    # entries chosen so no sample lands on a pixel centre, where the bilinear weights have a kink
    transform = numpy.array(
        [[0.913, -0.207, 0.731, 0.153, 1.087, -0.419, 0, 0], [1.093, 0.117, -0.613, -0.109, 0.927, 0.811, 0, 0]]
    )
    coordinates = rng.random((2, 3, 4)) * 4 + 0.3
    for interpolation in ("bilinear", "bicubic", "lanczos3", "nearest"):
        assert_gradients_match_finite_differences(
            engine, lambda v, i=interpolation: image.resize(v, (7, 4), interpolation=i, antialias=True), x
        )
    for fill_mode in FILL_MODES:
        assert_gradients_match_finite_differences(
            engine, lambda v, t, f=fill_mode: image.affine_transform(v, t, fill_mode=f), x, transform
        )
    # the coordinates stay off integer values, where the linear weights have a kink
    assert_gradients_match_finite_differences(
        engine, lambda v, c: image.map_coordinates(v, c, 1), x[0, :, :, 0], coordinates
    )
    for function in (
        image.gaussian_blur,
        image.rgb_to_hsv,
        image.rgb_to_grayscale,
        lambda v: image.extract_patches(v, 2),
    ):
        assert_gradients_match_finite_differences(engine, function, rng.random((2, 5, 6, 3)))


def test_elastic_transform_is_seeded_and_the_same_on_both_engines():
    x = numpy.random.default_rng(1).random((2, 12, 10, 3)).astype("float32")
    dynamic = numpy.asarray(image.elastic_transform(x, alpha=3.0, sigma=2.0, seed=5))
    static = run("static", lambda v: image.elastic_transform(v, alpha=3.0, sigma=2.0, seed=5), x)
    numpy.testing.assert_allclose(static, dynamic, rtol=1e-6, atol=1e-6)
    assert not numpy.allclose(dynamic, x)
    assert dynamic.min() >= x.min() - 1e-6 and dynamic.max() <= x.max() + 1e-6  # bilinear stays in range
    numpy.testing.assert_allclose(numpy.asarray(image.elastic_transform(x, alpha=0.0, seed=5)), x, atol=1e-6)


@pytest.mark.parametrize("dtype", ["uint8", "int32"])
def test_grayscale_of_integer_images_truncates_as_keras(engine, dtype):
    """Every Keras backend casts the weighted sum back to the integer dtype (truncation, not rounding)."""
    x = numpy.random.default_rng(3).integers(0, 256, (2, 5, 4, 3)).astype(dtype)
    got = run(engine, image.rgb_to_grayscale, x)
    weighted = x.astype("float32") @ numpy.array([0.2989, 0.5870, 0.1140], "float32")
    assert got.dtype == dtype
    numpy.testing.assert_array_equal(got[..., 0], numpy.trunc(weighted).astype(dtype))


def test_hsv_round_trip_and_grayscale_weights():
    x = numpy.random.default_rng(2).random((3, 4, 5, 3)).astype("float32")
    numpy.testing.assert_allclose(numpy.asarray(image.hsv_to_rgb(image.rgb_to_hsv(x))), x, atol=1e-6)
    gray = numpy.asarray(image.rgb_to_grayscale(x, data_format="channels_last"))
    numpy.testing.assert_allclose(gray[..., 0], x @ numpy.array([0.2989, 0.5870, 0.1140], "float32"), rtol=1e-6)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: image.resize(numpy.zeros((4, 4)), (2, 2)), r"resize: Invalid images rank.*images.shape=\(4, 4\)"),
        (lambda: image.resize(numpy.zeros((1, 4, 4, 1)), (2, 0)), "positive height and width"),
        (lambda: image.resize(numpy.zeros((1, 4, 4, 1)), (2, 2), interpolation="area"), "interpolation='area'"),
        (
            lambda: image.affine_transform(numpy.zeros((1, 4, 4, 1)), numpy.zeros((1, 8)), fill_mode="edge"),
            "fill_mode='edge'",
        ),
        (
            lambda: image.affine_transform(numpy.zeros((1, 4, 4, 1)), [1, 0, 0, 0, 1, 0, 0.5, 0]),
            "projective terms",
        ),
        (lambda: image.map_coordinates(numpy.zeros((4, 4)), numpy.zeros((3, 2)), 1), "leading dim of 3"),
        (lambda: image.map_coordinates(numpy.zeros((4, 4)), numpy.zeros((2, 2)), 3), "order=3"),
        (lambda: image.pad_images(numpy.zeros((4, 4, 1)), 1, 1), "Must specify exactly two of top_padding"),
        (lambda: image.crop_images(numpy.zeros((4, 4, 1)), 3, 0, target_height=3, target_width=4), "does not fit"),
        (lambda: image.rgb_to_hsv(numpy.zeros((2, 2, 3), "int32")), "expected float dtype"),
        (lambda: image.sobel_edges(numpy.zeros((4, 4, 1))), r"expected rank 4"),
        (
            lambda: image.affine_transform(numpy.zeros((2, 4, 4, 1)), numpy.zeros((2, 6))),
            r"affine_transform: `transform` must have shape \(8,\) or \(batch, 8\) for images of shape "
            r"\(2, 4, 4, 1\). Received: transform.shape=\(2, 6\)",
        ),
        (
            lambda: image.affine_transform(numpy.zeros((2, 4, 4, 1)), numpy.zeros((3, 8))),
            r"affine_transform: .* Received: transform.shape=\(3, 8\)",
        ),
        (
            lambda: image.rgb_to_hsv(numpy.zeros((2, 5, 6, 4), "float32")),
            r"rgb_to_hsv: Invalid channel size: expected 3 .* images.shape=\(2, 5, 6, 4\)",
        ),
        (
            lambda: image.resize(numpy.zeros((1, 0, 4, 3), "float32"), (2, 2)),
            r"resize: the images must have a positive height and width to resample, got shape \(1, 0, 4, 3\)",
        ),
        (
            lambda: image.scale_and_translate(numpy.zeros((1, 4, 4, 1)), (1, 8, 8, 1), 2.0, 0.0, (1.5, 2), "linear"),
            r"scale_and_translate: `spatial_dims` must be integer axes, got \(1.5, 2\)",
        ),
    ],
)
def test_bad_arguments_name_the_op_and_the_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()
