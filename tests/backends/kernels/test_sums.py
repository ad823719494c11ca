"""sums: row sums along the last axis and sums over leading rows as products with a vector of ones (BLAS) are
numpy's sums within float32 rounding, nan and infinities included; `sum_to` (a bias's gradient) takes that path
from 16 rows of a float C-contiguous host array, and `sum` elsewhere, with the same values, shape and dtype on
both engines."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.kernels import sums
from kerasish.backends.primitives import registry


def _values(shape, dtype, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(128, 10), (3, 5, 100), (1, 1), (4, 0)])
def test_last_axis_is_the_sum_along_it(shape, dtype):
    x = _values(shape, dtype)
    result = sums.last_axis(numpy, x)
    assert result.dtype == x.dtype and result.shape == shape[:-1]
    numpy.testing.assert_allclose(result, x.astype(numpy.float64).sum(axis=-1), **_tolerance(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "leading"), [((128, 512), (0,)), ((40, 3, 6), (0,)), ((4, 8, 5), (0, 1))])
def test_leading_rows_is_the_sum_over_them(shape, leading, dtype):
    x = _values(shape, dtype, seed=1)
    result = sums.leading_rows(numpy, x, int(numpy.prod([shape[axis] for axis in leading])))
    expected = x.astype(numpy.float64).sum(axis=leading).reshape(-1)
    assert result.dtype == x.dtype and result.shape == expected.shape
    numpy.testing.assert_allclose(result, expected, **_tolerance(dtype))


def test_nan_and_infinities_come_out_as_from_sum():
    x = _values((20, 4), "float32", seed=2)
    x[1, 2], x[3, 0], x[5, 1], x[5, 3], x[7, 1] = numpy.nan, numpy.inf, numpy.inf, -numpy.inf, -numpy.inf
    with numpy.errstate(invalid="ignore"):  # inf - inf, which numpy's `sum` warns of too
        rows, columns = sums.last_axis(numpy, x), sums.leading_rows(numpy, x, 20)
        expected = x.sum(axis=-1), x.sum(axis=0)
    for ours, theirs in zip((rows, columns), expected):
        numpy.testing.assert_array_equal(numpy.isnan(ours), numpy.isnan(theirs))
        numpy.testing.assert_array_equal(numpy.isposinf(ours), numpy.isposinf(theirs))
        numpy.testing.assert_array_equal(numpy.isneginf(ours), numpy.isneginf(theirs))


@pytest.fixture
def product_sums(monkeypatch):
    """The calls of sums.leading_rows that `sum_to` makes."""
    calls = []
    leading_rows = sums.leading_rows

    def counted(xp, x, rows):
        calls.append(x.shape)
        return leading_rows(xp, x, rows)

    monkeypatch.setattr(registry.sums, "leading_rows", counted)
    return calls


# (the summed array, the shape summed to, whether BLAS sums it)
SUMS = [
    (_values((128, 10), "float32"), (10,), True),  # a Dense layer's bias at batch 128
    (_values((8, 10), "float32"), (10,), False),  # few rows: `sum`
    (_values((4, 32, 6), "float64"), (6,), True),  # two leading axes, 128 rows
    (_values((4, 32, 6), "float32"), (32, 6), False),  # 4 rows
    (_values((5, 64), "float32").T, (5,), False),  # not C-contiguous: `sum`
    (numpy.arange(60).reshape(20, 3), (3,), False),  # integers: `sum`
    (numpy.zeros((0, 3), "float32"), (3,), False),  # no rows
]


@pytest.mark.parametrize(("x", "shape", "blas"), SUMS)
def test_sum_to_takes_the_product_where_it_pays_and_gives_the_sum(product_sums, x, shape, blas):
    result = registry._sum_to_shape(numpy, x, shape)
    expected = x.sum(axis=tuple(range(x.ndim - len(shape))))
    assert result.dtype == expected.dtype and result.shape == shape
    numpy.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)
    assert bool(product_sums) is blas


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("shape", "bias_shape"), [((128, 10), (10,)), ((8, 10), (10,)), ((4, 32, 6), (6,)), ((4, 32, 6), (32, 6))]
)
def test_a_bias_gradient_is_the_sum_over_the_rows_on_both_engines(engine, shape, bias_shape, dtype):
    x, direction = _values(shape, dtype, seed=3), _values(shape, dtype, seed=4)

    def gradient(bias):
        bias = ops.convert_to_tensor(bias)
        with kerasish.GradientTape() as tape:
            tape.watch(bias)
            value = ops.sum(ops.multiply(ops.add(x, bias), direction))
        return tape.gradient(value, bias)

    result = numpy.asarray(kerasish.function(gradient, engine=engine)(numpy.zeros(bias_shape, dtype)))
    leading = tuple(range(len(shape) - len(bias_shape)))
    assert result.dtype == numpy.dtype(dtype) and result.shape == bias_shape
    numpy.testing.assert_allclose(result, direction.astype(numpy.float64).sum(axis=leading), **_tolerance(dtype))
