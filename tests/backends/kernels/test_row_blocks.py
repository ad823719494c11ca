"""row_blocks: an epilogue run block by block of rows over tiles gives the numbers of one pass over the result
with the vectors broadcast (and the number 0), to the bit."""

import numpy
import pytest

from kerasish.backends.kernels import row_blocks


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(row_blocks, "BLOCK", 40)
    monkeypatch.setattr(row_blocks, "TILED", 16)


def _result(rows, columns, seed=0):
    """Values with the edge cases of an activation against 0: nan, both infinities and both zeros."""
    result = numpy.random.default_rng(seed).standard_normal((rows, columns)).astype(numpy.float32)
    result.flat[:5] = [numpy.nan, -numpy.inf, numpy.inf, -0.0, 0.0]
    return result


def test_in_blocks_visits_each_row_once_in_blocks_of_about_block_values(small_blocks):
    rows = numpy.zeros((23, 7), numpy.float32)
    heights = []

    def finish(block):
        heights.append(len(block))
        block += 1

    row_blocks.in_blocks(numpy, rows, finish)
    assert (rows == 1).all()
    assert sum(heights) == 23 and max(heights) == 40 // 7


def _affine_then_maximum(block, scale, shift, *zero):
    numpy.multiply(block, scale, out=block)
    numpy.add(block, shift, out=block)
    if zero:
        numpy.maximum(block, zero[0], out=block)


@pytest.mark.parametrize("vector_dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("zero", [False, True], ids=["vectors", "vectors-and-zero"])
def test_a_tiled_epilogue_is_the_broadcast_one_to_the_bit(small_blocks, vector_dtype, zero):
    rng = numpy.random.default_rng(1)
    scale = rng.standard_normal((1, 7)).astype(vector_dtype)  # ones before the last axis
    shift = rng.standard_normal(7).astype(vector_dtype)
    result, expected = _result(23, 7), _result(23, 7)
    _affine_then_maximum(expected, scale, shift, *((0,) if zero else ()))
    tiled = row_blocks.Tiled(numpy, _affine_then_maximum, (scale, shift), zero)
    row_blocks.in_blocks(numpy, result, tiled)
    numpy.testing.assert_array_equal(result, expected)
    assert numpy.isnan(result.flat[0])  # max(nan, 0) is nan, as relu's
    assert tiled.height == 40 // 7, "the vectors were tiled from the second block on"
    again, expected = _result(11, 7, seed=2), _result(11, 7, seed=2)  # a later chunk reuses the tiles
    _affine_then_maximum(expected, scale, shift, *((0,) if zero else ()))
    row_blocks.in_blocks(numpy, again, tiled)
    numpy.testing.assert_array_equal(again, expected)


@pytest.mark.parametrize(("columns", "zero_shape"), [(7, None), (32, (32,))], ids=["narrow", "wide"])
def test_one_block_and_small_blocks_take_the_vectors_as_they_are(monkeypatch, columns, zero_shape):
    monkeypatch.setattr(row_blocks, "TILED", 2 * columns)  # blocks of one row are small
    monkeypatch.setattr(row_blocks, "ROWS_VALUES", 1)
    seen = []
    vector = numpy.ones(columns, "float32")
    tiled = row_blocks.Tiled(numpy, lambda block, *vectors: seen.append(vectors), (vector,), True)
    tiled(numpy.zeros((1, columns), "float32"))  # under TILED values: the vector and relu's zero (`zero_for`)
    tiled(numpy.zeros((2, columns), "float32"))  # the first large block: the vector, and a zero tile
    (small_vector, small_zero), (vector, zeros) = seen
    assert small_vector.shape == vector.shape == (columns,)
    if zero_shape is None:  # the number 0 under ROW columns, else a row of zeros
        assert small_zero == 0 and type(small_zero) is int
    else:
        assert small_zero.shape == zero_shape and not small_zero.any()
    assert zeros.shape == (2, columns) and not zeros.any() and not zeros.flags.writeable


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", [(128, 32), (4, 32, 64), (8, 512)])
def test_relu_against_the_zero_row_is_against_the_number_zero_to_the_bit(dtype, shape):
    values = numpy.random.default_rng(3).standard_normal(shape).astype(dtype)
    values.flat[:5] = [numpy.nan, -numpy.inf, numpy.inf, -0.0, 0.0]
    zero = row_blocks.zero_for(numpy, values)
    assert zero.shape == shape[-1:] and not zero.flags.writeable
    for ufunc in (numpy.maximum, numpy.minimum):
        expected, result = ufunc(values, 0), ufunc(values, zero)
        assert result.dtype == expected.dtype
        assert numpy.array_equal(result, expected, equal_nan=True)
        assert numpy.array_equal(numpy.signbit(result), numpy.signbit(expected))


@pytest.mark.parametrize(
    ("shape", "dtype"), [((128, 31), "float32"), ((8, 32), "float32"), ((), "float32"), ((128, 64), "int32")]
)
def test_the_zero_is_the_number_where_a_row_does_not_pay(shape, dtype):
    zero = row_blocks.zero_for(numpy, numpy.zeros(shape, dtype))
    assert zero == 0 and type(zero) is int


@pytest.mark.parametrize(
    ("shape", "expected"), [((7,), True), ((1, 1, 7), True), ((), True), ((1,), True), ((7, 1), False), ((3,), False)]
)
def test_columns_means_one_value_per_column_or_one_value(shape, expected):
    assert (row_blocks.columns(shape, (4, 7)) == 7) is expected


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", [(23, 7), (3, 5, 11), (100,)])
def test_against_zero_is_the_ufunc_against_the_number_zero_to_the_bit(small_blocks, dtype, shape):
    values = numpy.random.default_rng(1).standard_normal(shape).astype(dtype)
    values.flat[:5] = [numpy.nan, -numpy.inf, numpy.inf, -0.0, 0.0]
    for ufunc in (numpy.maximum, numpy.minimum):
        expected = ufunc(values, 0)
        result = row_blocks.against_zero(numpy, ufunc, values)
        assert result.dtype == expected.dtype and result.shape == expected.shape
        assert numpy.array_equal(result, expected, equal_nan=True)
        assert numpy.array_equal(numpy.signbit(result), numpy.signbit(expected))
        assert result is not values and not numpy.shares_memory(result, values)


def test_against_zero_takes_the_number_for_strided_integer_or_small_arrays(small_blocks):
    values = numpy.random.default_rng(2).standard_normal((12, 10)).astype(numpy.float32)
    for case in (values[:, ::2], values.T, numpy.arange(-30, 30), values[:2, :3]):
        expected = numpy.maximum(case, 0)
        result = row_blocks.against_zero(numpy, numpy.maximum, case)
        assert result.dtype == expected.dtype and numpy.array_equal(result, expected)
