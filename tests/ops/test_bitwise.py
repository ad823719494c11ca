"""Bitwise ops, gcd and lcm (backends/primitives/bitwise.py): Keras's values and dtypes on both engines, and a clear
error for float inputs."""

import numpy
import pytest

from kerasish import ops

from .engines import run
from .keras_parity import assert_matches_keras

X = numpy.array([[12, -5, 7], [0, 255, -128]], "int32")
Y = numpy.array([3, 6, 1], "int32")
BINARY = [
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_left_shift",
    "left_shift",
    "bitwise_right_shift",
    "right_shift",
    "gcd",
    "lcm",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_match_keras(name):
    assert_matches_keras(name, X, Y)
    assert_matches_keras(name, X.astype("uint8"), Y.astype("uint8"))


@pytest.mark.parametrize("name", ["bitwise_not", "bitwise_invert"])
def test_not_matches_keras_on_integers_and_booleans(name):
    assert_matches_keras(name, X)
    assert_matches_keras(name, numpy.array([True, False]))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
def test_logical_forms_take_booleans(name, engine):
    a, b = numpy.array([True, True, False]), numpy.array([True, False, False])
    got = run(engine, getattr(ops, name), a, b)
    numpy.testing.assert_array_equal(got, getattr(numpy, name)(a, b))
    assert got.dtype == bool


@pytest.mark.parametrize("name", BINARY)
def test_both_engines_agree_with_numpy(name, engine):
    reference = getattr(
        numpy, name.replace("bitwise_left_shift", "left_shift").replace("bitwise_right_shift", "right_shift")
    )
    numpy.testing.assert_array_equal(run(engine, getattr(ops, name), X, Y), reference(X, Y))


@pytest.mark.parametrize("name", ["bitwise_and", "left_shift", "gcd"])
def test_float_inputs_are_refused_by_name(name):
    with pytest.raises(TypeError, match=rf"{name}: needs integer.* inputs, received dtypes int32, float32"):
        getattr(ops, name)(X, numpy.ones(3, "float32"))
