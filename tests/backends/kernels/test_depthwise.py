"""Depthwise convolution tap by tap: the forward is each channel's windows times its filters, and the two
gradients are its adjoints, for every geometry, in chunks of any number of images, strided or not."""

import numpy
import pytest

from kerasish.backends.kernels import depthwise, patches
from tests.backends.kernels.test_patches import GEOMETRIES

# more geometries with strides: a phase no tap reads (stride 3, 2 taps), dilation across the phases
STRIDED = [
    ((7, 8), (2, 2), (3, 3), (1, 1), ((0, 0), (1, 0))),
    ((9,), (3,), (2,), (3,), ((3, 3),)),
    ((6, 6), (3, 3), (2, 2), (1, 1), ((0, 1), (0, 1))),
]


def _cases(spatial, kernel_size, strides, dilation, pads, multiplier):
    rng = numpy.random.default_rng(4)
    x = rng.standard_normal((3, *spatial, 4))
    kernel = rng.standard_normal((*kernel_size, 4, multiplier))
    windows = patches.extract(numpy, x, kernel_size, strides, dilation, pads)  # (3, *out, *kernel_size, 4)
    rank = len(spatial)
    taps = windows.reshape(*windows.shape[: 1 + rank], -1, 4)
    expected = numpy.einsum("...tc,tcm->...cm", taps, kernel.reshape(-1, 4, multiplier))
    expected = expected.reshape(*expected.shape[: 1 + rank], -1)
    return x, kernel, expected, rng.standard_normal(expected.shape)


@pytest.mark.parametrize("chunk", [depthwise.CHUNK, 1, 100])  # every image alone, a few, the batch at once
@pytest.mark.parametrize("multiplier", [1, 2])
@pytest.mark.parametrize("spatial, kernel_size, strides, dilation, pads", GEOMETRIES + STRIDED)
def test_the_forward_and_its_adjoints_in_any_chunks(
    spatial, kernel_size, strides, dilation, pads, multiplier, chunk, monkeypatch
):
    monkeypatch.setattr(depthwise, "CHUNK", chunk)
    x, kernel, expected, g = _cases(spatial, kernel_size, strides, dilation, pads, multiplier)
    geometry = (kernel_size, strides, dilation, pads)
    forward = depthwise.forward(numpy, x, kernel, *geometry)
    numpy.testing.assert_allclose(forward, expected, rtol=1e-12, atol=1e-12)
    image = depthwise.input_gradient(numpy, g, kernel, spatial, *geometry)
    assert image.shape == x.shape
    numpy.testing.assert_allclose(numpy.vdot(image, x), numpy.vdot(g, expected), rtol=1e-12)
    kernel_gradient = depthwise.kernel_gradient(numpy, x, g, *geometry)
    assert kernel_gradient.shape == kernel.shape
    numpy.testing.assert_allclose(numpy.vdot(kernel_gradient, kernel), numpy.vdot(g, expected), rtol=1e-12)


def test_pixels_no_tap_reads_have_a_zero_gradient():
    # stride 3 by a 2-tap kernel: every third pixel is read by no tap
    g = numpy.ones((1, 3, 2))
    image = depthwise.input_gradient(numpy, g, numpy.ones((2, 2, 1)), (9,), (2,), (3,), (1,), ((0, 0),))
    numpy.testing.assert_array_equal(image[0, :, 0], [1, 1, 0] * 3)


def test_a_chunk_holds_a_few_images_on_the_cpu_and_the_batch_on_other_modules():
    per_image = depthwise.CHUNK // 4
    assert depthwise._images(numpy, 10, per_image) == [slice(0, 4), slice(4, 8), slice(8, 10)]
    assert depthwise._images(numpy, 3, 2 * depthwise.CHUNK) == [slice(0, 1), slice(1, 2), slice(2, 3)]
    assert depthwise._images(object(), 10, per_image) == [slice(0, 10)]
