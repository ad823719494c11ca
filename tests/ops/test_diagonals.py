"""diagonal, trace, diag and diagflat (backends/primitives/diagonals.py): Keras's values and dtypes, gradients
that land on the diagonal, and errors that name the op."""

import numpy
import pytest

from kerasish import ops

from .engines import gradients, run
from .keras_parity import assert_matches_keras

X = numpy.random.default_rng(0).standard_normal((3, 5)).astype("float32")
CUBE = numpy.random.default_rng(1).standard_normal((2, 3, 4)).astype("float32")


@pytest.mark.parametrize("offset", [-2, 0, 1, 6])
def test_diagonal_and_trace_match_keras(offset):
    assert_matches_keras("diagonal", X, offset)
    assert_matches_keras("diagonal", CUBE, offset, 2, 0)
    assert_matches_keras("trace", CUBE, offset, 1, 2)
    assert_matches_keras("trace", numpy.arange(12, dtype="int32").reshape(3, 4), offset)


@pytest.mark.slow
@pytest.mark.parametrize("k", [-1, 0, 2])
def test_diag_and_diagflat_match_keras(k):
    assert_matches_keras("diag", X, k)
    assert_matches_keras("diag", X[0], k)
    assert_matches_keras("diagflat", X[:2, :2], k)


def test_trace_gradient_lands_on_the_diagonal(engine):
    (grad,), direction = gradients(engine, lambda t: ops.trace(t, 1), X.astype("float64"))
    expected = numpy.zeros_like(X)
    expected[numpy.arange(3), numpy.arange(1, 4)] = direction
    numpy.testing.assert_allclose(grad, expected)


def test_errors_name_the_op_and_the_shape():
    with pytest.raises(ValueError, match=r"diag: `x` must be 1-D or 2-D, received x of shape \(2, 3, 4\)"):
        ops.diag(CUBE)
    with pytest.raises(ValueError, match=r"diagonal: x must have rank 2 or more, received x of shape \(5,\)"):
        ops.diagonal(X[0])
    with pytest.raises(ValueError, match="diagonal: axis1 and axis2 cannot be the same axis"):
        ops.diagonal(X, 0, 1, -1)


@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("dtype", ["bool", "int32", "uint8"])
def test_tril_and_triu_keep_the_dtype_as_in_keras(name, dtype, engine):
    x = numpy.arange(1, 13).reshape(3, 4).astype(dtype)
    got = run(engine, lambda a: getattr(ops, name)(a, k=1), x)
    assert got.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(got, getattr(numpy, name)(x, k=1))
    assert_matches_keras(name, x, k=1)
