"""im2col (extract) and col2im (scatter): scatter is the adjoint of extract for every geometry."""

import numpy
import pytest

from kerasish.backends.kernels import patches, row_blocks

GEOMETRIES = [
    # spatial, kernel_size, strides, dilation, pads
    ((5, 6), (3, 3), (1, 1), (1, 1), ((0, 0), (0, 0))),
    ((5, 6), (3, 2), (2, 3), (1, 1), ((1, 1), (0, 2))),
    ((7,), (3,), (2,), (2,), ((2, 1),)),
    ((6, 5), (2, 2), (2, 2), (1, 1), ((1, -1), (0, -1))),
    ((4, 3, 5), (2, 1, 3), (1, 2, 2), (1, 1, 1), ((0, 1), (0, 0), (1, 1))),
    ((5, 7), (2, 3), (2, 1), (1, 2), ((1, 0), (2, -1))),
]


@pytest.mark.parametrize("spatial, kernel_size, strides, dilation, pads", GEOMETRIES)
def test_scatter_is_the_adjoint_of_extract(spatial, kernel_size, strides, dilation, pads):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((2, *spatial, 3))
    windows = patches.extract(numpy, x, kernel_size, strides, dilation, pads)
    other = rng.standard_normal(windows.shape)
    image = patches.scatter(numpy, other, spatial, kernel_size, strides, dilation, pads)
    assert image.shape == x.shape
    numpy.testing.assert_allclose(numpy.vdot(windows, other), numpy.vdot(x, image))


def test_extract_reads_the_dilated_strided_window():
    x = numpy.arange(2 * 7 * 1, dtype=numpy.float32).reshape(2, 7, 1)
    windows = patches.extract(numpy, x, (3,), (2,), (2,), ((1, 0),), pad_value=-1.0)
    assert windows.shape == (2, 2, 3, 1)
    numpy.testing.assert_array_equal(windows[0, :, :, 0], [[-1, 1, 3], [1, 3, 5]])


@pytest.mark.parametrize("chunk, minimum", [(1 << 20, 1 << 22), (64, 0), (1000, 0), (37, 0)])
@pytest.mark.parametrize(
    "spatial, kernel_size, strides, dilation, pads", GEOMETRIES + [((5, 6), (1, 1), (1, 1), (1, 1), ((0, 0), (0, 0)))]
)
def test_product_is_the_windows_times_the_kernel_in_any_chunks(
    spatial, kernel_size, strides, dilation, pads, chunk, minimum, monkeypatch
):
    monkeypatch.setattr(patches, "CHUNK", chunk)
    monkeypatch.setattr(patches, "CHUNK_MINIMUM", minimum)
    monkeypatch.setattr(row_blocks, "BLOCK", 16)
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((3, *spatial, 4)).astype(numpy.float32)
    windows = patches.extract(numpy, x, kernel_size, strides, dilation, pads)
    kernel = rng.standard_normal((int(numpy.prod(kernel_size)) * 4, 5)).astype(numpy.float32)
    expected = (windows.reshape(-1, kernel.shape[0]) @ kernel).reshape(*windows.shape[: 1 + len(kernel_size)], 5)
    numpy.testing.assert_allclose(
        patches.product(numpy, x, kernel, kernel_size, strides, dilation, pads), expected, rtol=1e-5, atol=1e-5
    )
    blocks = []

    def finish(rows):  # in place, each row once
        blocks.append(len(rows))
        rows *= 2.0

    result = patches.product(numpy, x, kernel, kernel_size, strides, dilation, pads, finish)
    numpy.testing.assert_allclose(result, 2.0 * expected, rtol=1e-5, atol=1e-5)
    assert sum(blocks) == expected.size // 5 and max(blocks) <= max(1, 16 // 5)


@pytest.mark.parametrize("values, columns", [(1 << 16, 32), (7, 1), (120, 10), (1, 1 << 10)])
@pytest.mark.parametrize("spatial, kernel_size, strides, dilation, pads", GEOMETRIES)
def test_scatter_product_is_the_scatter_of_the_product_in_any_chunks(
    spatial, kernel_size, strides, dilation, pads, values, columns, monkeypatch
):
    # 5 channels: all 3 images and one tap per product, one image at a time and a tap per product, two taps
    # per product (all of them where there are fewer), all taps in one product
    monkeypatch.setattr(patches, "PRODUCT_VALUES", values)
    monkeypatch.setattr(patches, "PRODUCT_COLUMNS", columns)
    rng = numpy.random.default_rng(2)
    shape = patches.extract(numpy, numpy.zeros((3, *spatial, 1)), kernel_size, strides, dilation, pads).shape
    x = rng.standard_normal((*shape[: 1 + len(spatial)], 4)).astype(numpy.float32)
    weights = rng.standard_normal((4, int(numpy.prod(kernel_size)) * 5)).astype(numpy.float32)
    windows = (x.reshape(-1, 4) @ weights).reshape(*x.shape[:-1], *kernel_size, 5)
    expected = patches.scatter(numpy, windows, spatial, kernel_size, strides, dilation, pads)
    for operand in (weights, numpy.asfortranarray(weights)):  # a kernel's transpose is Fortran-ordered
        result = patches.scatter_product(numpy, x, operand, spatial, kernel_size, strides, dilation, pads)
        assert result.shape == (3, *spatial, 5) and result.dtype == numpy.float32
        numpy.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)
