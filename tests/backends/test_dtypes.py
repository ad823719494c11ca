import itertools
import os

import numpy
import pytest

from kerasish.backends import dtypes

ALL = [*dtypes.INTEGER_DTYPES, "float16", "float32", "float64", "bfloat16", "bool", "complex64", int, float, None]


def test_promotion_follows_keras_lattice_not_numpy():
    assert dtypes.result_type("int32", "float32") == "float32"  # numpy says float64
    assert dtypes.result_type("uint8", "int8") == "int16"
    assert dtypes.result_type(int, "float16") == "float16"
    assert dtypes.result_type(float, "int8") == "float32"
    assert dtypes.result_type("bool", int) == "int32"
    assert dtypes.result_type("float64") == "float32"
    assert dtypes.result_type() == "float32"
    with pytest.raises(ValueError, match="no implicit conversions from float8"):
        dtypes.result_type("float8_e4m3fn", "float32")


def test_promotion_matches_real_keras_on_every_pair_and_triple():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    backend = pytest.importorskip("keras").backend
    differences = []
    for count in (1, 2, 3):
        for combination in itertools.product(ALL, repeat=count):
            try:
                expected = backend.result_type(*combination)
            except ValueError:
                expected = ValueError
            try:
                got = dtypes.result_type(*combination)
            except ValueError:
                got = ValueError
            if got != expected:
                differences.append((combination, expected, got))
    assert differences == []


def test_dtypes_of_other_libraries_standardize():
    torch = pytest.importorskip("torch")
    assert dtypes.standardize_dtype(torch.float32) == "float32"
    assert dtypes.standardize_dtype(torch.int64) == "int64"
    jnp = pytest.importorskip("jax.numpy")
    assert dtypes.standardize_dtype(jnp.float32) == "float32"
    assert dtypes.standardize_dtype(jnp.dtype("bfloat16")) == "bfloat16"


class NamedLikeTensorFlow:
    """What `tf.float32` looks like to us: an object whose `.name` is the dtype's name."""

    name = "float16"


def test_plain_names_python_types_and_dtype_objects():
    assert dtypes.standardize_dtype(None) == "float32"
    assert dtypes.standardize_dtype("int") == "int32"
    assert dtypes.standardize_dtype(int) == "int32"
    assert dtypes.standardize_dtype(bool) == "bool"
    assert dtypes.standardize_dtype(numpy.float64) == "float64"
    assert dtypes.standardize_dtype(numpy.dtype("uint8")) == "uint8"
    assert dtypes.standardize_dtype(NamedLikeTensorFlow()) == "float16"
    assert dtypes.standardize_dtype({"class_name": "DTypePolicy", "config": {"name": "float64"}}) == "float64"
    assert dtypes.is_float_dtype("bfloat16") and not dtypes.is_float_dtype("int8")
    assert dtypes.is_int_dtype("uint16") and not dtypes.is_int_dtype("float32")


def test_a_dtype_without_equivalent_is_a_clear_error():
    with pytest.raises(ValueError, match="Invalid dtype: 'quaternion' has no kerasish equivalent.*float32"):
        dtypes.standardize_dtype("quaternion")
    with pytest.raises(ValueError, match="Invalid dtype: <object"):
        dtypes.standardize_dtype(object())
