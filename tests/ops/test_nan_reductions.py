"""The NaN-ignoring reductions (backends/primitives/nan_reductions.py): Keras's values and dtypes, all-NaN slices,
and gradients that reach the numbers and never turn NaN."""

import numpy
import pytest

from kerasish import ops

from .engines import gradients, run
from .keras_parity import assert_matches_keras

X = numpy.array(
    [[1.5, numpy.nan, -0.2, 0.7], [numpy.nan, numpy.nan, numpy.nan, numpy.nan], [0.3, 2.2, -1.1, 0.9]], "float32"
)
INTS = numpy.array([[3, 1, 4], [1, 5, 9]], "int32")
REDUCTIONS = ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd", "nanargmax", "nanargmin"]


@pytest.mark.slow
@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": 0, "keepdims": True}], ids=["all", "axis", "keepdims"])
def test_reductions_match_keras(name, kwargs):
    if name.startswith("nanarg") and not kwargs:
        assert_matches_keras(name, X[[0, 2]])
        return
    assert_matches_keras(name, X, **kwargs)
    assert_matches_keras(name, INTS, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": 0, "dtype": "float32"}])
def test_running_forms_match_keras(name, kwargs):
    assert_matches_keras(name, X, **kwargs)
    assert_matches_keras(name, INTS, **kwargs)


@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanprod"])
def test_gradients_are_finite_and_zero_at_the_nans(name, engine):
    x = numpy.where(numpy.isnan(X), numpy.nan, X + 0.05 * numpy.arange(12).reshape(3, 4)).astype("float64")[[0, 2]]
    (grad,), direction = gradients(engine, lambda t: getattr(ops, name)(t, axis=1), x)
    assert numpy.isfinite(grad).all(), grad
    assert (grad[numpy.isnan(x)] == 0).all()


def test_both_engines_agree(engine):
    for name in REDUCTIONS:
        got = run(engine, lambda t: getattr(ops, name)(t, axis=1), X)
        numpy.testing.assert_allclose(got, ops.convert_to_numpy(getattr(ops, name)(X, axis=1)), rtol=1e-6)


@pytest.mark.parametrize("name", REDUCTIONS + ["nancumsum", "nancumprod"])
def test_a_bad_axis_is_refused_by_name(name):
    with pytest.raises(ValueError, match=f"{name}: axis 5 is out of bounds for an input of rank 2"):
        getattr(ops, name)(X, axis=5)
