"""kron, cross, vdot and correlate (backends/primitives/products.py): Keras's values and dtypes, and errors that
name the op."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

RNG = numpy.random.default_rng(0)
A, B = RNG.standard_normal((2, 3)).astype("float32"), RNG.standard_normal((2, 2)).astype("float32")


@pytest.mark.parametrize("x1, x2", [(A, B), (A[0], B), (numpy.array([[1, 2]], "int32"), numpy.array([3, 4], "int32"))])
def test_kron_matches_keras(x1, x2):
    assert_matches_keras("kron", x1, x2)


@pytest.mark.parametrize(
    "x1, x2, kwargs",
    [
        (RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)), {}),
        (RNG.standard_normal((4, 3)), RNG.standard_normal((1, 3)), {}),
        (RNG.standard_normal((3, 4)), RNG.standard_normal((4, 3)), {"axisa": 0, "axisc": 0}),
        (RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)), {"axis": 0}),
        (RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2)), {}),
    ],
)
def test_cross_matches_keras(x1, x2, kwargs):
    assert_matches_keras("cross", x1.astype("float32"), x2.astype("float32"), **kwargs)


def test_cross_of_two_2_vectors_is_the_z_component(engine):
    a, b = numpy.array([[1.0, 2.0], [3.0, -1.0]]), numpy.array([[0.5, 4.0], [1.0, 1.0]])
    numpy.testing.assert_allclose(run(engine, ops.cross, a, b), a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])


def test_cross_refuses_other_vector_lengths():
    with pytest.raises(ValueError, match="cross: incompatible dimensions for cross product"):
        ops.cross(numpy.ones((2, 4)), numpy.ones((2, 3)))


def test_vdot_matches_keras():
    assert_matches_keras("vdot", A, A + 1.0)
    assert_matches_keras("vdot", numpy.array([1, 2], "int32"), numpy.array([3, 4], "int32"))


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("n, m", [(6, 3), (3, 6), (4, 4), (1, 5)])
def test_correlate_matches_keras(mode, n, m, engine):
    a, v = RNG.standard_normal(n).astype("float32"), RNG.standard_normal(m).astype("float32")
    assert_matches_keras("correlate", a, v, mode=mode, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(
        run(engine, lambda x, y: ops.correlate(x, y, mode), a, v), numpy.correlate(a, v, mode), rtol=1e-5, atol=1e-6
    )


def test_correlate_of_integers_is_float_as_in_keras():
    assert_matches_keras("correlate", numpy.array([1, 2, 3], "int32"), numpy.array([0, 1], "int32"))
    with pytest.raises(ValueError, match="correlate: mode must be one of 'valid', 'same', 'full'"):
        ops.correlate(A[0], A[1], "middle")


def test_shape_errors_name_the_op_and_the_shapes():
    with pytest.raises(ValueError, match=r"cross: shapes \(2,\), \(4,\) cannot be broadcast together"):
        ops.cross(numpy.ones((2, 3)), numpy.ones((4, 3)))
    with pytest.raises(
        ValueError, match=r"vdot: x1 and x2 must have the same number of elements, received shapes \(2, 3\) and \(4,\)"
    ):
        ops.vdot(A, numpy.ones(4, "float32"))
    with pytest.raises(ValueError, match=r"correlate: x1 and x2 must be 1-D, received shapes \(2, 3\) and \(3,\)"):
        ops.correlate(A, A[0])
