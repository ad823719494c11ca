"""bench/mlp_products.py's instrumented steps, row-major and feature-major, are numpy_limits' MLP step (the kernels
updated inside their gradients' gemm instead of after it) and clock exactly the five large products (no timings)."""

import numpy
import pytest

from tests.bench.scripts import WORKLOADS, data, mlp_products, numpy_limits


def _parameters():
    parameters = numpy_limits.STEPS["mlp"][0](WORKLOADS["mlp"], numpy.random.default_rng(0))
    rng = numpy.random.default_rng(1)  # random biases too: zeros would hide a bias left out
    return {
        key: (value + rng.standard_normal(value.shape) * 0.1).astype("float32") for key, value in parameters.items()
    }


@pytest.mark.parametrize("make", [mlp_products.numpy_step, mlp_products.feature_major_step])
def test_each_instrumented_step_updates_as_the_numpy_limit_step(make):
    x, y = data(WORKLOADS["mlp"], 16, 2)
    expected, measured = _parameters(), _parameters()
    clocked = []

    def clock(label, function):
        clocked.append(label)
        return function()

    step = make(measured, clock)
    for first in (0, 16):
        numpy_limits._mlp_step(expected, x[first : first + 16], y[first : first + 16])
        step(x[first : first + 16], y[first : first + 16])
    assert clocked == list(mlp_products.PRODUCTS) * 2
    for key, value in expected.items():
        numpy.testing.assert_allclose(measured[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
        assert not numpy.array_equal(value, _parameters()[key]), key  # every parameter moved
