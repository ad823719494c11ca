"""Depthwise convolution tap by tap: the forward and both gradients are those taken through the windows (im2col:
each channel's windows times its filters, and the windows' gradient summed back onto the image), for every
geometry, in chunks of any number of images, strided or not."""

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
    """An image, a kernel, an output gradient, and the forward and both gradients through the windows (im2col)."""
    rng = numpy.random.default_rng(4)
    x = rng.standard_normal((3, *spatial, 4))
    kernel = rng.standard_normal((*kernel_size, 4, multiplier))
    windows = patches.extract(numpy, x, kernel_size, strides, dilation, pads)  # (3, *out, *kernel_size, 4)
    out = windows.shape[1 : 1 + len(spatial)]
    taps = windows.reshape(3, *out, -1, 4)
    filters = kernel.reshape(-1, 4, multiplier)
    forward = numpy.einsum("...tc,tcm->...cm", taps, filters)
    g = rng.standard_normal(forward.shape)
    windows_gradient = numpy.einsum("...cm,tcm->...tc", g, filters).reshape(windows.shape)
    image_gradient = patches.scatter(numpy, windows_gradient, spatial, kernel_size, strides, dilation, pads)
    pixels = taps.reshape(-1, *taps.shape[-2:])  # (every output pixel of every image, taps, channels)
    kernel_gradient = numpy.einsum("ntc,ncm->tcm", pixels, g.reshape(len(pixels), 4, multiplier)).reshape(kernel.shape)
    flat = (3, *out, 4 * multiplier)
    return x, kernel, g.reshape(flat), forward.reshape(flat), image_gradient, kernel_gradient


@pytest.mark.parametrize("chunk", [depthwise.CHUNK, 1, 100])  # every image alone, a few, the batch at once
@pytest.mark.parametrize("multiplier", [1, 2])
@pytest.mark.parametrize("spatial, kernel_size, strides, dilation, pads", GEOMETRIES + STRIDED)
def test_the_forward_and_both_gradients_are_the_windows_in_any_chunks(
    spatial, kernel_size, strides, dilation, pads, multiplier, chunk, monkeypatch
):
    monkeypatch.setattr(depthwise, "CHUNK", chunk)
    x, kernel, g, forward, image_gradient, kernel_gradient = _cases(
        spatial, kernel_size, strides, dilation, pads, multiplier
    )
    geometry = (kernel_size, strides, dilation, pads)
    numpy.testing.assert_allclose(depthwise.forward(numpy, x, kernel, *geometry), forward, rtol=1e-12, atol=1e-12)
    image = depthwise.input_gradient(numpy, g, kernel, spatial, *geometry)
    numpy.testing.assert_allclose(image, image_gradient, rtol=1e-12, atol=1e-12)
    numpy.testing.assert_allclose(
        depthwise.kernel_gradient(numpy, x, g, *geometry), kernel_gradient, rtol=1e-12, atol=1e-12
    )


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
