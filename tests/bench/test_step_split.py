"""bench/step_split.py clocks the kernels of both engines' steps without changing what they compute, and puts every
kernel back afterwards (no timings)."""

import numpy
import pytest

import kerasish
from kerasish.backends.kernels import blas
from kerasish.backends.primitives.registry import PRIMITIVES
from kerasish.backends.static import plan
from tests.bench.scripts import WORKLOADS, data, run, step_split


def _kernels():
    forwards = {name: primitive.forward for name, primitive in PRIMITIVES.items()}
    return forwards, blas.accumulate_suited, plan.Plan.generate


def test_every_kernel_is_put_back_even_after_an_error():
    before = _kernels()
    with pytest.raises(RuntimeError), step_split.KernelClock().installed():
        assert blas.accumulate_suited is not before[1]
        assert PRIMITIVES["matmul"].forward is not before[0]["matmul"]
        raise RuntimeError("inside the block")
    after = _kernels()
    assert after[1:] == before[1:]
    assert all(after[0][name] is forward for name, forward in before[0].items())


def test_both_engines_steps_are_split_into_their_kernels_and_the_rest():
    found = step_split.split(WORKLOADS["mlp"], batch=16, steps=2, rounds=2)
    dynamic, static = found["dynamic"], found["static"]
    assert {"dense_relu", "matmul_right_transposed", "queued kernel updates"} <= set(dynamic["by kernel"])
    assert {"plan: matmul_bias_activation", "plan: product_update"} <= set(static["by kernel"])
    assert not any(name.startswith("plan: ") for name in dynamic["by kernel"])
    for times in (dynamic, static):
        assert len(times["step"]) == len(times["kernels"]) == 2
        assert all(0 < kernels < step for step, kernels in zip(times["step"], times["kernels"]))


@pytest.mark.parametrize("engine", step_split.ENGINES)
def test_a_clocked_fit_trains_as_an_unclocked_one(engine):
    workload, batch = WORKLOADS["mlp"], 16
    x, y = data(workload, batch, 2)
    weights = []
    for clocked in (False, True):
        kerasish.utils.set_random_seed(3)
        if clocked:
            with step_split.KernelClock().installed() as clock:
                model = run.ready_to_train(kerasish, workload, x, y, batch, backend=engine)
                model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
            assert clock.spent  # the kernels were clocked
        else:
            model = run.ready_to_train(kerasish, workload, x, y, batch, backend=engine)
            model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for clocked, unclocked in zip(weights[1], weights[0]):
        numpy.testing.assert_array_equal(clocked, unclocked)
