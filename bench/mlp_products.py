"""The MLP's five large products where they run and alone: the ceiling on any runner's ratio to torch.

    python bench/mlp_products.py [--rounds 12] [--steps 20]

The MLP of bench/run.py (784-512-512-10, batch 128, SGD) on one BLAS thread. In one process, torch's step (its
own loop, as bench/run.py times it) and a numpy step of the same arithmetic take turns for `rounds` rounds of
`steps` steps. The numpy step is numpy_limits' MLP step with each kernel's update done inside its gradient's
gemm (C ← C − rate · aᵀ·g, as kerasish does it), and a clock around each of the five large products:
(128, 784)·(784, 512), (128, 512)·(512, 512), the input gradient G·W₁ᵀ and the two kernel updates. Printed: the
medians of torch's step, the numpy step and its products in place; the same products alone, warm and repeated;
and torch's step over the products in place: the best ratio to torch that a runner doing these products through
numpy's BLAS can reach in those conditions, whatever else it does. The same step laid out feature-major (every
activation and gradient stored as (features, batch), so each product hands BLAS the other shape) takes its turn
in the same rounds: whether the layout moves the ceiling.
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


def feature_major_step(parameters, clock):
    """`numpy_step` with every activation and gradient stored transposed, (features, batch): the same arithmetic,
    each product given to BLAS as the other shape (the input gradient as W₁·G₂ᵀ)."""
    rate = numpy.float32(RATE)

    def step(x, y):
        w0, w1, w2 = parameters["w0"], parameters["w1"], parameters["w2"]
        h1 = clock("x·W0", lambda: w0.T @ x.T)
        numpy.maximum(numpy.add(h1, parameters["b0"][:, None], out=h1), 0, out=h1)
        h2 = clock("h1·W1", lambda: w1.T @ h1)
        numpy.maximum(numpy.add(h2, parameters["b1"][:, None], out=h2), 0, out=h2)
        d3 = numpy_limits._logits_gradient((w2.T @ h2 + parameters["b2"][:, None]).T, y).T
        d2 = w2 @ d3
        d2 *= h2 > 0
        d1 = clock("G2·W1ᵀ", lambda: w1 @ d2)
        d1 *= h1 > 0
        blas.accumulate_product(w2, h2, d3.T, -rate)
        for name, gradient in (("b2", d3), ("b1", d2), ("b0", d1)):
            parameters[name] -= rate * numpy_limits._column_sums(gradient.T)
        clock("W1 update", lambda: blas.accumulate_product(w1, h1, d2.T, -rate))
        clock("W0 update", lambda: blas.accumulate_product(w0, x.T, d1.T, -rate))

    return step


def products_alone(parameters, x, repeats=30):
    """{layout: {product: µs}}: each product on fixed operands in each step's layout, warm: the median of `repeats`
    runs after three."""
    rng = numpy.random.default_rng(1)
    h1 = rng.standard_normal((len(x), 512)).astype("float32")
    gradient = rng.standard_normal((len(x), 512)).astype("float32")
    h1_major, gradient_major = h1.T.copy(), gradient.T.copy()  # (features, batch), as the feature-major step
    w0, w1 = parameters["w0"].copy(), parameters["w1"].copy()
    calls = {
        "numpy step": {
            "x·W0": lambda: x @ w0,
            "h1·W1": lambda: h1 @ w1,
            "G2·W1ᵀ": lambda: gradient @ w1.T,
            "W1 update": lambda: blas.accumulate_product(w1, h1.T, gradient, -1e-9),
            "W0 update": lambda: blas.accumulate_product(w0, x.T, gradient, -1e-9),
        },
        "feature-major step": {
            "x·W0": lambda: w0.T @ x.T,
            "h1·W1": lambda: w1.T @ h1_major,
            "G2·W1ᵀ": lambda: w1 @ gradient_major,
            "W1 update": lambda: blas.accumulate_product(w1, h1_major, gradient_major.T, -1e-9),
            "W0 update": lambda: blas.accumulate_product(w0, x.T, gradient_major.T, -1e-9),
        },
    }
    found = {layout: {} for layout in calls}
    for layout, products in calls.items():
        for label, call in products.items():
            times = []
            for index in range(repeats + 3):
                start = time.perf_counter()
                call()
                if index >= 3:
                    times.append(time.perf_counter() - start)
            found[layout][label] = numpy.median(times) * 1e6
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
    layouts = {"numpy step": numpy_step, "feature-major step": feature_major_step}
    spent = {}  # layout -> {product: seconds}, this round's

    def clocked(layout):
        def clock(label, function):
            start = time.perf_counter()
            result = function()
            spent[layout][label] += time.perf_counter() - start
            return result

        return clock

    steps_of = {
        layout: make({key: value.copy() for key, value in parameters.items()}, clocked(layout))
        for layout, make in layouts.items()
    }
    reference = None
    if torch is not None:
        workload = WORKLOADS["mlp"]
        net, inputs, targets = workload.torch_model(torch), torch.from_numpy(x), torch.from_numpy(y)
        reference = torch_train_step(torch, workload, net, inputs, targets, batch)
    rounds = {label: [] for label in ["torch", *layouts]}  # seconds a step, per round
    by_product = {layout: {label: [] for label in PRODUCTS} for layout in layouts}
    for index in range(arguments.rounds + 2):  # the first two rounds warm up
        found = {}
        if reference is not None:
            start = time.perf_counter()
            for first in range(0, len(x), batch):
                reference(first)
            found["torch"] = (time.perf_counter() - start) / steps
        for layout in layouts if index % 2 == 0 else list(layouts)[::-1]:
            spent[layout] = dict.fromkeys(PRODUCTS, 0.0)
            start = time.perf_counter()
            for first in range(0, len(x), batch):
                steps_of[layout](x[first : first + batch], y[first : first + batch])
            found[layout] = (time.perf_counter() - start) / steps
        if index >= 2:
            for label, seconds in found.items():
                rounds[label].append(seconds)
            for layout in layouts:
                for label, seconds in spent[layout].items():
                    by_product[layout][label].append(seconds / steps)
    for layout in layouts:  # the five products' sum, per round
        rounds[f"{layout}, products in place"] = list(numpy.sum(list(by_product[layout].values()), axis=0))
    alone = products_alone(parameters, x[:batch])
    print(f"MLP 784-512-512-10, batch {batch}, one thread; {arguments.rounds} rounds of {steps} steps (µs a step)")
    print(f"numpy's BLAS: {blas.describe() or 'not a bundled OpenBLAS'}")
    for label, values in rounds.items():
        if values:
            values = numpy.array(values) * 1e6
            print(f"{label:>35}: {numpy.median(values):8.0f}  ({values.min():.0f}–{values.max():.0f})")
    for layout in layouts:
        each = ", ".join(f"{label} {numpy.median(values) * 1e6:.0f}" for label, values in by_product[layout].items())
        print(f"{layout + ', each product':>35}: {each}")
        each = ", ".join(f"{label} {value:.0f}" for label, value in alone[layout].items())
        print(f"{layout + ', products alone':>35}: {sum(alone[layout].values()):8.0f}  ({each})")
    if rounds["torch"]:
        for layout in layouts:
            ceiling = numpy.median(rounds["torch"]) / numpy.median(rounds[f"{layout}, products in place"])
            print(f"ceiling on a ratio to torch, {layout} (torch's step / its products in place): {ceiling:.2f}x")


if __name__ == "__main__":
    main()
