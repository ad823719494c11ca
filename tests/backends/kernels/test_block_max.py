"""Max pooling over strided taps against a loop over every window: the maximum, the gradient placed at each
window's first maximum (row-major, ties included; padding never chosen) and its adjoint, for windows that
tile, overlap or are padded, in both data formats."""

import itertools

import numpy
import pytest

from kerasish.backends.kernels import block_max

GEOMETRIES = [
    # shape (channels last), pool size, strides, pads
    ((2, 9, 8, 3), (3, 3), (2, 2), ((1, 1), (0, 1))),  # ResNet's stem pool ("same", 3x3 stride 2)
    ((2, 5, 6, 2), (2, 2), (1, 1), ((0, 0), (0, 0))),
    ((1, 5, 7, 2), (2, 3), (2, 3), ((0, 0), (0, 0))),  # tiles, trailing pixels left out
    ((1, 5, 4, 2), (2, 2), (2, 2), ((0, 1), (0, 0))),  # tiles, padded
    ((2, 7, 2), (3,), (2,), ((1, 1),)),
    ((1, 4, 3, 5, 2), (2, 1, 3), (1, 1, 2), ((0, 1), (0, 0), (1, 1))),
    ((1, 3, 3, 1), (3, 3), (1, 1), ((2, 2), (2, 2))),  # windows of padding only at the corners
]


def _windows(shape, pool_size, strides, pads):
    """For each output position, the in-bounds input positions of its window in row-major order."""
    spatial = shape[1:-1]
    out = [(n + a + b - k) // s + 1 for n, k, s, (a, b) in zip(spatial, pool_size, strides, pads)]
    for position in itertools.product(*map(range, out)):
        taps = [
            tuple(o * s + t - pad[0] for o, s, t, pad in zip(position, strides, tap, pads))
            for tap in itertools.product(*map(range, pool_size))
        ]
        yield position, [tap for tap in taps if all(0 <= i < n for i, n in zip(tap, spatial))]


def _reference(x, grad, values, pool_size, strides, pads):
    pooled = numpy.zeros(grad.shape)
    spread = numpy.zeros(x.shape)
    selected = numpy.zeros(grad.shape)
    for position, taps in _windows(x.shape, pool_size, strides, pads):
        for batch, channel in itertools.product(range(x.shape[0]), range(x.shape[-1])):
            window = [x[(batch, *tap, channel)] for tap in taps]
            if not window:
                pooled[(batch, *position, channel)] = -numpy.inf
                continue
            first = taps[int(numpy.argmax(window))]  # argmax takes the first maximum
            pooled[(batch, *position, channel)] = max(window)
            spread[(batch, *first, channel)] += grad[(batch, *position, channel)]
            selected[(batch, *position, channel)] = values[(batch, *first, channel)]
    return pooled, spread, selected


def _channels_first(array):
    return numpy.moveaxis(array, -1, 1)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape, pool_size, strides, pads", GEOMETRIES)
def test_maximum_spread_and_select_match_the_loop(shape, pool_size, strides, pads, data_format, ties):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(shape)
    if ties:
        x = numpy.maximum(numpy.round(x), 0)  # mostly zeros: many windows with several maxima
    values = rng.standard_normal(shape)
    geometry = dict(pool_size=pool_size, strides=strides, pads=pads)
    pooled_shape = block_max.pooled_shape(shape, data_format="channels_last", **geometry)
    grad = rng.standard_normal(pooled_shape)
    expected = _reference(x, grad, values, **geometry)
    arrays = [x, grad, values]
    if data_format == "channels_first":
        arrays = [numpy.ascontiguousarray(_channels_first(a)) for a in arrays]
        expected = [_channels_first(e) for e in expected]
    x, grad, values = arrays
    pooled = block_max.maximum(numpy, x, data_format=data_format, **geometry)
    numpy.testing.assert_array_equal(pooled, expected[0])
    spread = block_max.spread(numpy, x, grad, pooled, data_format=data_format, **geometry)
    numpy.testing.assert_allclose(spread, expected[1], rtol=1e-12, atol=1e-12)
    selected = block_max.select(numpy, x, values, pooled, data_format=data_format, **geometry)
    numpy.testing.assert_array_equal(selected, expected[2])


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape, pool_size", [((5, 6, 4, 3), (2, 2)), ((5, 7, 5, 2), (3, 2)), ((4, 9, 2), (3,))])
def test_tiling_windows_spread_a_few_images_at_a_time(shape, pool_size, data_format, contiguous, monkeypatch):
    # contiguous channels last: two images per chunk, chunks of 2, 2 and 1 (or 2 and 2) images, each taken
    # tap-major (other layouts: the strided taps, the same result); trailing pixels (7 by 3, 5 by 2) get no
    # gradient; ties (mostly zeros) go to the first maximum
    monkeypatch.setattr(block_max, "CHUNK", 2 * int(numpy.prod(shape[1:])))
    rng = numpy.random.default_rng(3)
    x = numpy.maximum(numpy.round(rng.standard_normal(shape)), 0).astype(numpy.float32)
    geometry = dict(pool_size=pool_size, strides=pool_size, pads=((0, 0),) * len(pool_size))
    grad = rng.standard_normal(block_max.pooled_shape(shape, data_format="channels_last", **geometry))
    grad = grad.astype(numpy.float32)
    expected = _reference(x, grad, x, **geometry)[1]
    if data_format == "channels_first":
        x, grad, expected = _channels_first(x), _channels_first(grad), _channels_first(expected)
    if contiguous:
        x, grad = numpy.ascontiguousarray(x), numpy.ascontiguousarray(grad)
    else:  # a strided view of a wider array
        x = numpy.concatenate([x, x], axis=-1)[..., : x.shape[-1]]
    pooled = block_max.maximum(numpy, x, data_format=data_format, **geometry)
    spread = block_max.spread(numpy, x, grad, pooled, data_format=data_format, **geometry)
    assert spread.dtype == numpy.float32
    numpy.testing.assert_array_equal(spread, expected)
