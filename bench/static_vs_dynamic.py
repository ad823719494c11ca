"""Training-step time and memory: static graph (each pass on/off) against the dynamic tape and torch.

    python bench/static_vs_dynamic.py [--steps N]

Two models, one SGD training step each, written once with kerasish.GradientTape + Variable.assign
and run by `kerasish.function` on both engines:
  tiny  tanh(x * w + b) on an 8x4 batch: the time is almost all per-step framework overhead;
  mlp   784-256-10 relu MLP on a 64-example batch.
Rows: the dynamic engine, the static engine with every pass on, with every pass off, and with one
pass off at a time. Columns: the step time (microseconds, best of 9 rounds in which every
configuration and torch are timed in turn), the ratios against the dynamic step and against the
same step in torch eager, the peak memory of one step as tracemalloc sees it (numpy reports its
buffers there), and the static plan's peak intermediate bytes. Targets: static <= 0.5x dynamic on tiny,
<= 1x on mlp; fusion lowers memory.
"""

import argparse
import timeit
import tracemalloc
import warnings

import numpy

import kerasish
from kerasish import ops
from kerasish.backends.static.passes import NAMES

try:
    import torch
except ImportError:
    torch = None

RATE = 0.01


def _array(*shape, seed=0, scale=1.0):
    return (numpy.random.default_rng(seed).standard_normal(shape) * scale).astype(numpy.float32)


MODELS = {
    "tiny": {
        "params": lambda: [_array(4, seed=1), _array(4, seed=2)],
        "batch": lambda: [_array(8, 4, seed=3), _array(8, 4, seed=4)],
    },
    "mlp": {
        "params": lambda: [
            _array(784, 256, seed=1, scale=0.05),
            numpy.zeros(256, "float32"),
            _array(256, 10, seed=2, scale=0.05),
            numpy.zeros(10, "float32"),
        ],
        "batch": lambda: [_array(64, 784, seed=3), _array(64, 10, seed=4)],
    },
}


def forward(name, params, x):
    if name == "tiny":
        w, b = params
        return ops.tanh(x * w + b)
    w1, b1, w2, b2 = params
    return ops.matmul(ops.relu(ops.matmul(x, w1) + b1), w2) + b2


def make_step(name, variables, engine, passes):
    def step(x, y):
        with kerasish.GradientTape() as tape:
            error = forward(name, variables, x) - y
            loss = ops.sum(error * error) * (1.0 / x.shape[0])
        grads = tape.gradient(loss, variables)
        for variable, grad in zip(variables, grads):
            variable.assign(variable - RATE * grad)
        return loss

    return kerasish.function(step, engine=engine, passes=passes)


def interleaved_best(runs, steps, rounds=9):
    """Best per-step time of each function, timed in turns so that a busy spell hits all of them."""
    best = [float("inf")] * len(runs)
    for run in runs:
        run()
    for _ in range(rounds):
        for position, run in enumerate(runs):
            best[position] = min(best[position], timeit.timeit(run, number=steps) / steps * 1e6)
    return best


def peak_bytes(function):
    function()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    function()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def kerasish_step(name, engine, passes):
    """A ready step `run()` and, on the static engine, its plan's peak intermediate bytes."""
    variables = [kerasish.Variable(p) for p in MODELS[name]["params"]()]
    x, y = MODELS[name]["batch"]()
    step = make_step(name, variables, engine, passes)
    run = lambda: step(x, y)  # noqa: E731
    run()
    if engine == "dynamic":
        return run, None
    (trace,) = step.traces.values()
    return run, trace.compiled.peak_memory(x, y)


def torch_step(name):
    if torch is None:
        return None
    params = [torch.tensor(p, requires_grad=True) for p in MODELS[name]["params"]()]
    x, y = [torch.from_numpy(a) for a in MODELS[name]["batch"]()]

    def model(x):
        if name == "tiny":
            return torch.tanh(x * params[0] + params[1])
        return torch.relu(x @ params[0] + params[1]) @ params[2] + params[3]

    def step():
        error = model(x) - y
        loss = (error * error).sum() * (1.0 / x.shape[0])
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= RATE * g
        return loss

    return step


def configurations():
    yield "dynamic", "dynamic", None
    yield "static, all passes", "static", None
    yield "static, no passes", "static", []
    for name in NAMES:
        yield f"static, no {name}", "static", {name: False}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per repeat for the tiny model (mlp: /10)")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    print(f"one SGD training step; times in microseconds (torch {'absent' if torch is None else torch.__version__})")
    for name in MODELS:
        steps = args.steps if name == "tiny" else max(args.steps // 10, 2)
        labels, runs, plans = [], [], []
        for label, engine, passes in configurations():
            run, plan = kerasish_step(name, engine, passes)
            labels.append(label)
            runs.append(run)
            plans.append(plan)
        reference = torch_step(name)
        times = interleaved_best(runs + ([reference] if reference else []), steps)
        torch_time = times[-1] if reference else float("nan")
        header = (
            f"{'configuration':<34} {'step us':>9} {'/dynamic':>9} {'/torch':>7} {'peak KiB':>9} {'plan peak KiB':>13}"
        )
        print(f"\n{name} (torch eager step: {torch_time:.1f} us)")
        print(header)
        print("-" * len(header))
        for label, run, plan, time in zip(labels, runs, plans, times):
            plan_text = f"{plan / 1024:13.1f}" if plan is not None else f"{'-':>13}"
            print(
                f"{label:<34} {time:9.1f} {time / times[0]:9.2f} {time / torch_time:7.2f} "
                f"{peak_bytes(run) / 1024:9.1f} {plan_text}"
            )


if __name__ == "__main__":
    main()
