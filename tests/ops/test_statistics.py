"""Quantiles, ptp, corrcoef, histogram, bincount and digitize (backends/primitives/statistics.py): Keras's values
and dtypes, data-dependent lengths on the static engine, and errors that name the op."""

import numpy
import pytest

from kerasish import ops

from .engines import gradients, run
from .keras_parity import assert_matches_keras

X = numpy.random.default_rng(0).standard_normal((3, 5)).astype("float32")
CUBE = numpy.random.default_rng(1).standard_normal((2, 3, 4)).astype("float32")
WITH_NAN = numpy.where(X > 1.0, numpy.nan, X)
METHODS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "q, kwargs", [(0.3, {}), ([0.1, 0.5, 0.9], {"axis": 1}), (0.75, {"axis": (0, 2), "keepdims": True})]
)
def test_quantile_and_percentile_match_keras(method, q, kwargs):
    assert_matches_keras("quantile", CUBE, q, method=method, **kwargs)
    assert_matches_keras("percentile", CUBE, numpy.multiply(q, 100).tolist(), method=method, **kwargs)
    assert_matches_keras("nanquantile", CUBE, q, method=method, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_nan_quantiles_match_keras(method):
    assert_matches_keras("nanquantile", WITH_NAN, [0.2, 0.6], axis=1, method=method)
    assert_matches_keras("nanpercentile", WITH_NAN, 40, axis=0, method=method)


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": 0, "keepdims": True}])
def test_medians_ptp_and_integers_match_keras(kwargs):
    assert_matches_keras("median", X, **kwargs)
    assert_matches_keras("nanmedian", WITH_NAN, **kwargs)
    assert_matches_keras("ptp", X, **kwargs)
    assert_matches_keras("median", numpy.array([[3, 1, 4], [1, 5, 9]], "int32"), **kwargs)


def test_quantile_gradient_reaches_the_neighbours_it_reads(engine):
    x = numpy.array([4.0, 1.0, 3.0, 2.0])
    (grad,), direction = gradients(engine, lambda t: ops.quantile(t, 0.5), x)  # between 2 and 3: half each
    numpy.testing.assert_allclose(grad, direction * [0, 0, 0.5, 0.5])


def test_quantile_refuses_bad_arguments_by_name():
    with pytest.raises(ValueError, match=r"quantile: q must be .* in \[0, 1\], received q=1.5"):
        ops.quantile(X, 1.5)
    with pytest.raises(ValueError, match=r"percentile: q must be .* in \[0, 100\]"):
        ops.percentile(X, [10, 120])
    with pytest.raises(ValueError, match="quantile: method must be one of"):
        ops.quantile(X, 0.5, method="cubic")
    with pytest.raises(ValueError, match="median: axis 3 is out of bounds for an input of rank 2"):
        ops.median(X, axis=3)


def test_quantiles_on_the_static_engine(engine):
    got = run(engine, lambda t: ops.nanquantile(t, [0.25, 0.5], axis=1), WITH_NAN)
    numpy.testing.assert_allclose(got, numpy.nanquantile(WITH_NAN, [0.25, 0.5], axis=1), rtol=1e-6)


def test_corrcoef_matches_keras():
    assert_matches_keras("corrcoef", X, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [{}, {"bins": 4}, {"bins": 5, "range": (-1.0, 1.0)}, {"bins": 3, "range": (0, 0)}])
def test_histogram_matches_keras(kwargs):
    """Counts are int32 as Keras documents them (its numpy backend gives int64, its JAX backend float32)."""
    assert_matches_keras("histogram", X.ravel(), same_dtype=False, **kwargs)
    assert ops.histogram(X.ravel(), **kwargs)[0].dtype == "int32"


def test_histogram_of_equal_values_widens_its_range():
    counts, edges = ops.histogram(numpy.full(4, 2.0, "float32"), bins=2)
    numpy.testing.assert_array_equal(ops.convert_to_numpy(counts), [0, 4])
    numpy.testing.assert_allclose(ops.convert_to_numpy(edges), [1.5, 2.0, 2.5])


def test_histogram_refuses_bad_arguments_as_keras():
    with pytest.raises(TypeError, match="histogram: Argument `bins` must be of type `int`"):
        ops.histogram(X.ravel(), bins=2.5)
    with pytest.raises(ValueError, match="histogram: Argument `range` must be a tuple of two elements"):
        ops.histogram(X.ravel(), range=[0, 1])
    with pytest.raises(
        ValueError, match=r"histogram: Input tensor must be 1-dimensional. Received: input.shape=\(3, 5\)"
    ):
        ops.histogram(X)


def test_histogram_on_both_engines(engine):
    counts, edges = run(engine, lambda t: ops.histogram(t, bins=4), X.ravel())
    expected_counts, expected_edges = numpy.histogram(X.ravel(), bins=4)
    numpy.testing.assert_array_equal(counts, expected_counts)
    numpy.testing.assert_allclose(edges, expected_edges, rtol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize(
    "x, kwargs",
    [
        (numpy.array([1, 4, 1, 0, 3], "int32"), {}),
        (numpy.array([1, 4, 1, 0, 3], "int32"), {"minlength": 8}),
        (numpy.array([1, 4, 1], "int32"), {"weights": numpy.array([0.5, 2.0, 1.0], "float32")}),
        (numpy.array([[0, 2, 2], [2, 1, 0]], "int32"), {}),
    ],
)
def test_bincount_matches_keras(x, kwargs):
    assert_matches_keras("bincount", x, **kwargs)


def test_bincount_has_a_data_dependent_length_on_the_static_engine(engine):
    x = numpy.array([1, 4, 1], "int32")
    numpy.testing.assert_array_equal(run(engine, ops.bincount, x), [0, 2, 0, 0, 1])


def test_bincount_of_weighted_rows(engine):
    """Each row counted with its own weights (Keras's JAX backend refuses 2-D weights, its numpy one does this)."""
    x, weights = numpy.array([[0, 2, 2], [1, 1, 0]], "int32"), numpy.array([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]])
    got = run(engine, lambda i, w: ops.bincount(i, weights=w, minlength=4), x, weights)
    numpy.testing.assert_allclose(got, [[1, 0, 5, 0], [4, 1, 0, 0]])


def test_bincount_refuses_negative_values_on_both_engines(engine):
    with pytest.raises(ValueError, match=r"bincount: values must be non-negative, received -2 \(x shape \(3,\)\)"):
        run(engine, ops.bincount, numpy.array([1, -2, 0], "int32"))


def test_bincount_weight_gradient_is_the_gradient_of_each_bin(engine):
    x = numpy.array([2, 0, 2], "int32")
    (_, grad), direction = gradients(engine, lambda i, w: ops.bincount(i, weights=w), x, numpy.ones(3))
    numpy.testing.assert_allclose(grad, direction[x])


def test_digitize_matches_keras():
    assert_matches_keras("digitize", X, numpy.array([-1.0, 0.0, 0.5, 2.0], "float32"))
    with pytest.raises(ValueError, match=r"digitize: bins must be 1-D, received bins of shape \(2, 2\)"):
        ops.digitize(X, numpy.ones((2, 2)))


def test_quantiles_given_as_a_tensor(engine):
    q = numpy.array([0.1, 0.5], "float32")
    got = run(engine, lambda t, quantiles: ops.quantile(t, quantiles, axis=1), X, q)
    numpy.testing.assert_allclose(got, numpy.quantile(X, q, axis=1), rtol=1e-5, atol=1e-6)
    got = run(engine, lambda t, quantiles: ops.percentile(t, quantiles * 100.0), X, q)
    numpy.testing.assert_allclose(got, numpy.percentile(X, q * 100), rtol=1e-5, atol=1e-6)
