"""kerasish.ops, kerasish.ops.numpy and kerasish.ops.core hold Keras 3's names, and the numpy-style and core ops
this project added take Keras's parameters with Keras's defaults."""

import inspect

import pytest

from kerasish import ops

from .engines import real_keras

# The keras.ops names added with the numpy-style and core namespaces (the nn, linalg and image ops are elsewhere).
ADDED = """absolute allclose amax amin angle append arccos arccosh arcsin arcsinh arctan arctan2 arctanh argpartition
array array_split associative_scan bartlett bincount bitwise_and bitwise_invert bitwise_left_shift bitwise_not
bitwise_or bitwise_right_shift bitwise_xor blackman cbrt conj conjugate copy corrcoef correlate cosh cross deg2rad
diag diagflat diagonal diff digitize dsplit dstack dtype empty empty_like exp2 fabs fliplr flipud fmax fmin fmod gcd
geomspace get_item hamming hanning heaviside histogram hsplit hstack hypot i0 imag isclose isin isneginf isposinf
isreal kaiser kron lcm ldexp left_shift logaddexp2 logspace map median meshgrid nanargmax nanargmin nancumprod
nancumsum nanmax nanmean nanmedian nanmin nanpercentile nanprod nanquantile nanstd nansum nanvar nextafter nonzero
percentile ptp quantile rad2deg real rearrange right_shift rot90 saturate_cast searchsorted select signbit sinc
sinh switch tan trace trapezoid tri trunc unique unravel_index vander vdot vectorize vectorized_map view vsplit
vstack""".split()


def _public(module):
    return {name for name in dir(module) if not name.startswith("_")}


def test_the_numpy_namespace_holds_exactly_keras_names_as_the_top_level_ops():
    keras = real_keras()
    assert _public(ops.numpy) == _public(keras.ops.numpy)
    for name in _public(ops.numpy):
        assert getattr(ops.numpy, name) is getattr(ops, name), name


def test_the_core_namespace_holds_exactly_the_names_keras_exports_from_its_core_ops():
    keras = real_keras()
    core = {
        name
        for name in _public(keras.ops)
        if getattr(getattr(keras.ops, name), "__module__", "") == "keras.src.ops.core"
    }
    assert _public(ops.core) == core
    for name in core:
        assert getattr(ops.core, name) is getattr(ops, name), name


@pytest.mark.parametrize("name", ADDED)
def test_added_ops_take_keras_parameters_and_defaults(name):
    theirs = inspect.signature(getattr(real_keras().ops, name)).parameters
    ours = inspect.signature(getattr(ops, name)).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


def test_every_added_name_is_a_keras_ops_name():
    assert set(ADDED) <= _public(real_keras().ops)
