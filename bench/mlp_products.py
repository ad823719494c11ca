"""The MLP's five large products where they run and alone: the ceiling on any runner's ratio to torch.

    python bench/mlp_products.py [--rounds 12] [--steps 20]

The MLP of bench/run.py (784-512-512-10, batch 128, SGD) on one BLAS thread. In one process, torch's step (its
own loop, as bench/run.py times it) and a numpy step of the same arithmetic take turns for `rounds` rounds of
`steps` steps. The numpy step is numpy_limits' MLP step with each kernel's update done inside its gradient's
gemm (C ← C − rate · aᵀ·g, as kerasish does it), and a clock around each of the five large products:
(128, 784)·(784, 512), (128, 512)·(512, 512), the input gradient G·W₁ᵀ and the two kernel updates. Printed: the
medians of torch's step, the numpy step and its products in place; the same products alone, warm and repeated;
and torch's step over the products in place: the best ratio to torch that a runner doing these products through
numpy's BLAS can reach in those conditions, whatever else it does.
"""

import argparse
import time

import numpy
import numpy_limits
from run import on_one_thread, torch_train_step
from workloads import RATE, WORKLOADS, data

from kerasish.backends import allocator
from kerasish.backends.kernels import blas

PRODUCTS = ("x·W0", "h1·W1", "G2·W1ᵀ", "W1 update", "W0 update")


def numpy_step(parameters, clock):
    """numpy_limits' MLP step with the kernels updated inside their gradients' gemm; `clock(label, function)` runs
    each large product."""
    rate = numpy.float32(RATE)

    def step(x, y):
        w0, w1, w2 = parameters["w0"], parameters["w1"], parameters["w2"]
        h1 = clock("x·W0", lambda: x @ w0)
        numpy.maximum(numpy.add(h1, parameters["b0"], out=h1), 0, out=h1)
        h2 = clock("h1·W1", lambda: h1 @ w1)
        numpy.maximum(numpy.add(h2, parameters["b1"], out=h2), 0, out=h2)
        d3 = numpy_limits._logits_gradient(h2 @ w2 + parameters["b2"], y)
        d2 = d3 @ w2.T
        d2 *= h2 > 0
        d1 = clock("G2·W1ᵀ", lambda: d2 @ w1.T)
        d1 *= h1 > 0
        blas.accumulate_product(w2, h2.T, d3, -rate)
        for name, gradient in (("b2", d3), ("b1", d2), ("b0", d1)):
            parameters[name] -= rate * numpy_limits._column_sums(gradient)
        clock("W1 update", lambda: blas.accumulate_product(w1, h1.T, d2, -rate))
        clock("W0 update", lambda: blas.accumulate_product(w0, x.T, d1, -rate))

    return step


def products_alone(parameters, x, repeats=30):
    """Each product on fixed operands, warm: the median of `repeats` runs after three, in microseconds."""
    rng = numpy.random.default_rng(1)
    h1 = rng.standard_normal((len(x), 512)).astype("float32")
    gradient = rng.standard_normal((len(x), 512)).astype("float32")
    w0, w1 = parameters["w0"].copy(), parameters["w1"].copy()
    calls = {
        "x·W0": lambda: x @ w0,
        "h1·W1": lambda: h1 @ w1,
        "G2·W1ᵀ": lambda: gradient @ w1.T,
        "W1 update": lambda: blas.accumulate_product(w1, h1.T, gradient, -1e-9),
        "W0 update": lambda: blas.accumulate_product(w0, x.T, gradient, -1e-9),
    }
    found = {}
    for label, call in calls.items():
        times = []
        for index in range(repeats + 3):
            start = time.perf_counter()
            call()
            if index >= 3:
                times.append(time.perf_counter() - start)
        found[label] = numpy.median(times) * 1e6
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--steps", type=int, default=20)
    arguments = parser.parse_args()
    on_one_thread()
    try:
        import torch
    except ImportError:
        torch = None
    allocator.tune()
    batch, steps = 128, arguments.steps
    x, y = data(WORKLOADS["mlp"], batch, steps)
    parameters = numpy_limits.STEPS["mlp"][0](WORKLOADS["mlp"], numpy.random.default_rng(0))
    spent = dict.fromkeys(PRODUCTS, 0.0)

    def clock(label, function):
        start = time.perf_counter()
        result = function()
        spent[label] += time.perf_counter() - start
        return result

    step = numpy_step(parameters, clock)
    reference = None
    if torch is not None:
        workload = WORKLOADS["mlp"]
        net, inputs, targets = workload.torch_model(torch), torch.from_numpy(x), torch.from_numpy(y)
        reference = torch_train_step(torch, workload, net, inputs, targets, batch)
    rounds = {"torch": [], "numpy step": [], "products in place": []}
    for index in range(arguments.rounds + 2):  # the first two rounds warm up
        if reference is not None:
            start = time.perf_counter()
            for first in range(0, len(x), batch):
                reference(first)
            torch_time = (time.perf_counter() - start) / steps
        for label in spent:
            spent[label] = 0.0
        start = time.perf_counter()
        for first in range(0, len(x), batch):
            step(x[first : first + batch], y[first : first + batch])
        numpy_time = (time.perf_counter() - start) / steps
        if index >= 2:
            if reference is not None:
                rounds["torch"].append(torch_time)
            rounds["numpy step"].append(numpy_time)
            rounds["products in place"].append(sum(spent.values()) / steps)
    alone = products_alone(parameters, x[:batch])
    print(f"MLP 784-512-512-10, batch {batch}, one thread; {arguments.rounds} rounds of {steps} steps (µs a step)")
    for label, values in rounds.items():
        if values:
            values = numpy.array(values) * 1e6
            print(f"{label:>18}: {numpy.median(values):8.0f}  ({values.min():.0f}–{values.max():.0f})")
    each = ", ".join(f"{label} {value:.0f}" for label, value in alone.items())
    print(f"{'products alone':>18}: {sum(alone.values()):8.0f}  ({each})")
    if rounds["torch"]:
        ceiling = numpy.median(rounds["torch"]) / numpy.median(rounds["products in place"])
        print(f"ceiling on a ratio to torch (torch's step / the products in place): {ceiling:.2f}x")


if __name__ == "__main__":
    main()
