"""Every primitive case: the static engine's forward and gradient match the dynamic engine's."""

import numpy
import pytest

from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import GradientTape, Tensor

from ..cases import all_cases

CASES = all_cases()
GRAD_CASES = [c for c in CASES if c.grad]


def _float32(array):
    return array.astype(numpy.float32) if array.dtype == numpy.float64 else array


def _placeholders(arrays):
    return [static.placeholder(a.shape, a.dtype, name=f"input_{i}") for i, a in enumerate(arrays)]


@pytest.mark.parametrize("passes", [None, []], ids=["optimised", "unoptimised"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_forward_matches_dynamic(case, passes):
    arrays = [_float32(a) for a in case.inputs]
    expected = case.op(*[Tensor(a) for a in arrays]).numpy()
    symbols = _placeholders(arrays)
    got = static.function(symbols, case.op(*symbols), passes=passes)(*arrays)
    assert numpy.asarray(got).shape == expected.shape
    assert numpy.asarray(got).dtype == expected.dtype
    numpy.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.id for c in GRAD_CASES])
def test_gradient_matches_dynamic(case):
    arrays = [_float32(a) for a in case.inputs]
    wanted = [i for i, a in enumerate(arrays) if a.dtype == numpy.float32]
    shape = case.op(*[Tensor(a) for a in arrays]).shape
    direction = numpy.random.default_rng(1).standard_normal(shape).astype(numpy.float32)

    tensors = [Tensor(a) for a in arrays]
    with GradientTape() as tape:
        tape.watch([tensors[i] for i in wanted])
        loss = ops.sum(ops.multiply(case.op(*tensors), direction))
    expected = tape.gradient(loss, [tensors[i] for i in wanted])

    symbols = _placeholders(arrays)
    loss = ops.sum(ops.multiply(case.op(*symbols), direction))
    grads = static.gradients(loss, [symbols[i] for i in wanted])
    connected = [g for g in grads if g is not None]
    got = iter(static.function(symbols, connected)(*arrays)) if connected else iter(())
    for g, e in zip(grads, expected):
        assert (g is None) == (e is None)
        if g is not None:
            numpy.testing.assert_allclose(next(got), e.numpy(), rtol=1e-5, atol=1e-6)
