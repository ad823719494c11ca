"""Helpers for the ops tests: run a function of arrays on either engine, its gradients, and real Keras."""

import numpy
import pytest

import kerasish
from kerasish import ops, tree
from kerasish.backends.dynamic import Tensor


def run(engine, fn, *arrays):
    """`fn(*arrays)` on the dynamic engine (eager tensors) or traced and run by the static engine, as numpy."""
    if engine == "static":
        result = kerasish.function(fn, engine="static")(*arrays)
    else:
        result = fn(*[Tensor(numpy.asarray(a)) for a in arrays])
    return tree.map_structure(numpy.asarray, result)


def gradients(engine, fn, *arrays):
    """The gradient of `sum(fn(*arrays) * direction)` for a fixed random direction, on one engine, with the
    direction, so a caller can compare with finite differences."""
    shape = numpy.shape(run("dynamic", fn, *arrays))
    direction = numpy.random.default_rng(7).standard_normal(shape)

    def projected(*xs):
        with kerasish.GradientTape() as tape:
            tape.watch(list(xs))
            value = ops.sum(ops.multiply(fn(*xs), direction))
        return tape.gradient(value, list(xs))

    return run(engine, projected, *arrays), direction


def assert_gradients_match_finite_differences(engine, fn, *arrays, eps=1e-6, rtol=1e-5):
    """Analytic gradients on `engine` against central differences along a random step (float64 arrays)."""
    arrays = [numpy.asarray(a, dtype=numpy.float64) for a in arrays]
    grads, direction = gradients(engine, fn, *arrays)
    steps = [numpy.random.default_rng(8 + i).standard_normal(a.shape) for i, a in enumerate(arrays)]
    analytic = sum(float(numpy.sum(g * s)) for g, s in zip(grads, steps))

    def value(sign):
        moved = [a + sign * eps * s for a, s in zip(arrays, steps)]
        return float(numpy.sum(run("dynamic", fn, *moved) * direction))

    numeric = (value(1) - value(-1)) / (2 * eps)
    assert abs(analytic - numeric) <= rtol * max(1.0, abs(numeric)), (analytic, numeric)


def real_keras():
    """Keras 3 on its JAX backend, or a skip where it is not installed."""
    return pytest.importorskip("keras")


def keras_value(result):
    return tree.map_structure(numpy.asarray, result)
