"""copy, view, saturate_cast and dtype (backends/primitives/conversion.py)."""

import numpy
import pytest

from kerasish import ops
from kerasish.backends.dynamic import Tensor

from .engines import real_keras, run
from .keras_parity import assert_matches_keras


def test_copy_is_a_new_array_with_the_same_values(engine):
    x = numpy.array([1.0, 2.0], "float32")
    got = run(engine, ops.copy, x)
    numpy.testing.assert_array_equal(got, x)
    source = Tensor(x)
    copied = ops.copy(source)
    assert not numpy.shares_memory(ops.convert_to_numpy(copied), ops.convert_to_numpy(source))


@pytest.mark.parametrize(
    "x, dtype",
    [
        (numpy.array([1.0, -2.5], "float32"), "int32"),
        (numpy.array([[1, 2, 3, 4]], "int16"), "int32"),
        (numpy.array([[1, 2]], "int32"), "int16"),
        (numpy.array([1, 2], "int32"), "float32"),
    ],
)
def test_view_reinterprets_the_bits_as_keras_does(x, dtype, engine):
    assert_matches_keras("view", x, dtype)
    got = run(engine, lambda t: ops.view(t, dtype), x)
    numpy.testing.assert_array_equal(got, x.view(dtype))


def test_view_refuses_a_last_axis_that_does_not_divide():
    with pytest.raises(ValueError, match=r"view: cannot view an input of shape \(3,\) and dtype int16 as int32"):
        ops.view(numpy.array([1, 2, 3], "int16"), "int32")


@pytest.mark.parametrize(
    "x, dtype",
    [
        (numpy.array([-300.5, 1.5, 300.0, 255.9], "float32"), "uint8"),
        (numpy.array([-300.5, 1.5, 300.0], "float32"), "int8"),
        (numpy.array([70000, -70000, 5], "int32"), "int16"),
        (numpy.array([-1, 5], "int32"), "uint32"),
        (numpy.array([1e30, -1e30, 2.0], "float32"), "float16"),
    ],
)
def test_saturate_cast_clips_to_the_target_range_as_keras(x, dtype, engine):
    assert_matches_keras("saturate_cast", x, dtype)
    numpy.testing.assert_array_equal(run(engine, lambda t: ops.saturate_cast(t, dtype), x), ops.saturate_cast(x, dtype))


def test_saturate_cast_never_wraps_around_at_the_top_of_int32():
    """float32 cannot hold 2**31 - 1: the bound moves inwards instead of overflowing to -2**31."""
    got = ops.convert_to_numpy(ops.saturate_cast(numpy.array([1e10, -1e10], "float32"), "int32"))
    assert got[0] > 0 and got[1] == numpy.iinfo("int32").min


@pytest.mark.parametrize("x", [numpy.zeros(2, "float32"), numpy.zeros(2, "int32"), numpy.zeros(2, bool)])
def test_dtype_names_the_dtype_as_keras(x):
    assert ops.dtype(Tensor(x)) == str(x.dtype)
    assert ops.dtype(x) == real_keras().ops.dtype(x)


@pytest.mark.parametrize("name", ["view", "saturate_cast"])
def test_an_unknown_dtype_is_refused_by_name(name):
    with pytest.raises(ValueError, match=f"{name}: Invalid dtype: 'float7'"):
        getattr(ops, name)(numpy.ones(2, "float32"), "float7")
