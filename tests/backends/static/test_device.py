"""Device placement of compiled functions, and the plan replay on cupy (GPU tests)."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import device, static


def test_function_runs_on_the_device_current_at_compile_time():
    x = static.placeholder((3,))
    with kerasish.device("cpu"):
        f = static.function([x], ops.exp(x))
    assert f.device == "cpu"
    assert isinstance(f(numpy.zeros(3, "float32")), numpy.ndarray)


@pytest.mark.skipif(device.gpu_available(), reason="checks the error raised without a GPU")
def test_gpu_function_without_cupy_says_what_to_install():
    x = static.placeholder((3,))
    with pytest.raises(RuntimeError, match="pip install"):
        static.function([x], ops.exp(x), device="gpu")


def test_traces_are_kept_per_device():
    @kerasish.function(engine="static")
    def double(x):
        return x * 2.0

    with kerasish.device("cpu"):
        double(numpy.ones(2, "float32"))
    (signature,) = double.traces
    assert signature[-1] == "cpu"


def test_replay_does_no_dispatch(monkeypatch):
    from kerasish.backends.primitives import registry

    x = static.placeholder((4,))
    f = static.function([x], ops.sum(ops.tanh(x * 2.0) + 1.0))

    def refuse(*args):
        raise AssertionError("an op was dispatched while replaying a compiled plan")

    monkeypatch.setattr(registry, "apply", refuse)
    assert f(numpy.zeros(4, "float32")) == 4.0
    assert f.plan.source.count(" = k") == len(f.plan.steps)


@pytest.mark.gpu
@pytest.mark.parametrize("fusion", [True, False])
def test_fused_chains_and_updates_on_cupy_match_numpy(fusion):
    cupy = device.xp_of("gpu")  # cupy, or the strict stand-in that KERASISH_GPU_MODULE names

    passes = None if fusion else {"elementwise_fusion": False}
    x = static.placeholder((16, 8))
    w = static.variable(numpy.ones(8, "float32"), name="w_gpu")
    loss = ops.sum(ops.tanh(x * w + 1.0) * 2.0)
    grad = static.gradients(loss, w)
    a = numpy.random.default_rng(0).standard_normal((16, 8)).astype("float32")
    cpu = static.function([x], [loss, grad], passes=passes, device="cpu")(a)
    gpu = static.function([x], [loss, grad], passes=passes, device="gpu")(cupy.asarray(a))
    for c, g in zip(cpu, gpu):
        numpy.testing.assert_allclose(cupy.asnumpy(g), c, rtol=1e-5, atol=1e-6)
