"""cupy against numpy: every primitive Case forward and (through the tape) backward on the GPU,
and random draws identical on both devices. Skipped without cupy and a CUDA GPU (see conftest)."""

import numpy
import pytest

import kerasish
from kerasish import random
from kerasish.backends.device import device_of, to_device
from kerasish.backends.dynamic import Tensor

from .cases import all_cases

pytestmark = pytest.mark.gpu

CASES = all_cases()
GRAD_CASES = [c for c in CASES if c.grad]


def _float32(array):
    return array.astype(numpy.float32) if array.dtype == numpy.float64 else array


def _on(device, arrays):
    """Tensors of `arrays` on "cpu" or "gpu"."""
    if device == "cpu":
        return [Tensor(a) for a in arrays]
    return [Tensor(to_device(a, "gpu")) for a in arrays]


def _forward_and_gradients(case, device):
    """The case's output and the gradients of <output, cotangent> in its float inputs, on one device."""
    inputs = [_float32(a) for a in case.inputs]
    with kerasish.device(device):
        tensors = _on(device, inputs)
        differentiable = [t for t, a in zip(tensors, inputs) if a.dtype == numpy.float32]
        with kerasish.GradientTape() as tape:
            tape.watch(differentiable)
            output = case.op(*tensors)
        if not case.grad:
            return output, []
        cotangent = numpy.random.default_rng(0).standard_normal(output.shape).astype(output.dtype)
        (seed,) = _on(device, [cotangent])
        return output, tape.gradient(output, differentiable, output_gradients=seed)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_forward_on_the_gpu_matches_numpy(case):
    expected, _ = _forward_and_gradients(case, "cpu")
    output, _ = _forward_and_gradients(case, "gpu")
    assert device_of(output) == "gpu"
    assert output.dtype == expected.dtype
    numpy.testing.assert_allclose(output.numpy(), expected.numpy(), atol=case.atol, rtol=1e-5)


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.id for c in GRAD_CASES])
def test_gradients_on_the_gpu_match_numpy(case):
    _, expected = _forward_and_gradients(case, "cpu")
    _, grads = _forward_and_gradients(case, "gpu")
    assert len(grads) == len(expected)
    for grad, reference in zip(grads, expected):
        if reference is None:  # not connected (an integer or boolean output): None on both devices
            assert grad is None
            continue
        assert device_of(grad) == "gpu"
        numpy.testing.assert_allclose(grad.numpy(), reference.numpy(), atol=1e-4, rtol=1e-4)


def test_variables_and_seeded_draws_live_on_the_gpu_with_the_cpu_numbers():
    with kerasish.device("gpu"):
        generator = random.SeedGenerator(8)
        on_gpu = [
            random.normal((3, 4), seed=generator),
            random.dropout(numpy.ones((2, 5), "float32"), 0.5, seed=generator),
        ]
        assert device_of(generator.state) == "gpu"
    generator = random.SeedGenerator(8)
    on_cpu = [random.normal((3, 4), seed=generator), random.dropout(numpy.ones((2, 5), "float32"), 0.5, seed=generator)]
    for gpu_value, cpu_value in zip(on_gpu, on_cpu):
        assert device_of(gpu_value) == "gpu"
        numpy.testing.assert_array_equal(gpu_value.numpy(), cpu_value.numpy())
