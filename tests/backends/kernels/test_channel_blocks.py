"""Batch normalization's blocked passes against plain numpy, with blocks small enough that every way of
cutting a (rows, channels, after) view is taken (whole rows, pieces of one row, a single block), and rows
folded by a narrow width or a wide one."""

import numpy
import pytest

from kerasish.backends.kernels import channel_blocks

LAYOUTS = [
    # shape, channel axis
    ((5, 4, 3, 6), 3),  # channels last
    ((5, 6, 4, 3), 1),  # channels first
    ((7, 6), 0),
    ((2, 3, 50), 1),
    ((4, 6, 10), 1),
    ((13, 5), 1),  # a prime number of rows: folded all together, or not at all
]


@pytest.fixture(
    params=[(5, 12, 1), (40, 12, 4), (130, channel_blocks.WIDTH, 1), (channel_blocks.BLOCK, channel_blocks.WIDTH, 1)],
    ids=["pieces-of-rows", "folded-rows", "rows", "default"],
)
def block(request, monkeypatch):
    for name, value in zip(("BLOCK", "WIDTH", "RUN"), request.param):
        monkeypatch.setattr(channel_blocks, name, value)
    return request.param


def _arrays(shape, axis, count):
    rng = numpy.random.default_rng(0)
    arrays = [rng.standard_normal(shape) * 3 + 2 for _ in range(count)]
    vectors = [rng.standard_normal(shape[axis]) for _ in range(3)]
    return arrays, vectors


def _along(vector, axis, ndim):
    return vector.reshape([-1 if i == axis else 1 for i in range(ndim)])


@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_statistics_are_the_mean_and_variance_per_channel(block, shape, axis):
    (x,), _ = _arrays(shape, axis, 1)
    others = tuple(i for i in range(x.ndim) if i != axis)
    statistics = channel_blocks.statistics(numpy, x, axis)
    numpy.testing.assert_allclose(statistics, [x.mean(axis=others), x.var(axis=others)], rtol=1e-12)


@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_scale_and_shift(block, shape, axis):
    (x,), (scale, shift, _) = _arrays(shape, axis, 1)
    result = channel_blocks.scale_and_shift(numpy, x, scale, shift, axis, x.dtype)
    numpy.testing.assert_allclose(result, x * _along(scale, axis, x.ndim) + _along(shift, axis, x.ndim), rtol=1e-12)


@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_centred_sums(block, shape, axis):
    (g, x), (mean, _, _) = _arrays(shape, axis, 2)
    others = tuple(i for i in range(x.ndim) if i != axis)
    sums = channel_blocks.centred_sums(numpy, g, x, mean, axis)
    expected = [g.sum(axis=others), (g * (x - _along(mean, axis, x.ndim))).sum(axis=others)]
    numpy.testing.assert_allclose(sums, expected, rtol=1e-10)


@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_combine(block, shape, axis):
    (g, x), (alpha, beta, gamma) = _arrays(shape, axis, 2)
    result = channel_blocks.combine(numpy, g, x, alpha, beta, gamma, axis, x.dtype)
    along = [_along(v, axis, x.ndim) for v in (alpha, beta, gamma)]
    numpy.testing.assert_allclose(result, g * along[0] + x * along[1] + along[2], rtol=1e-12)


def test_half_precision_sums_add_up_in_float32():
    # 80,000 squares of 100 add up far beyond float16's largest number (65504); their mean, and the sum of
    # 80,000 products of 0.1, fit
    x = numpy.tile(numpy.array([[100.0], [-100.0]], numpy.float16), (40_000, 1))
    statistics = channel_blocks.statistics(numpy, x, 1)
    assert statistics.dtype == numpy.float16
    numpy.testing.assert_array_equal(statistics, [[0.0], [10_000.0]])
    g = numpy.where(x > 0, 0.001, -0.001).astype(numpy.float16)
    sums = channel_blocks.centred_sums(numpy, g, x, statistics[0], 1)
    assert sums.dtype == numpy.float16
    numpy.testing.assert_allclose(sums.astype(numpy.float64), [[0.0], [8000.0]], rtol=1e-3)
