"""The MLP's and the small CNN's large products under each of the kernel sets numpy's OpenBLAS can load.

    python bench/blas_kernels.py [--cores SkylakeX,Haswell] [--rounds 4] [--repeats 30]

numpy's bundled OpenBLAS chooses its kernels for the CPU when it loads, unless OPENBLAS_CORETYPE names others, so
each kernel set runs in a process of its own, the processes in turns for `rounds` rounds, on one BLAS thread. Each
process times every product `repeats` times after a warm-up (float32, operands as the steps hand them to BLAS,
transposed ones as views) and reports the median. The products are bench/run.py's MLP at batch 128 (the two
forward products, the input gradient G₂·W₁ᵀ, the two kernel gradients) and its CNN at batch 64 with each
convolution as one product over all windows, as numpy_limits computes it (26·26 and 11·11 windows a sample, 3x3
taps of 1 and 32 channels). Printed: each product's median µs over the rounds per kernel set, and each
workload's products summed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy
from run import THREAD_VARIABLES, interleaved_rounds

from kerasish.backends.kernels import blas

# (rows, depth, columns, which operand is handed over transposed: "" / "a" / "b")
PRODUCTS = {
    "mlp": {
        "x·W0": (128, 784, 512, ""),
        "h1·W1": (128, 512, 512, ""),
        "G2·W1ᵀ": (128, 512, 512, "b"),
        "h1ᵀ·G2 (W1 gradient)": (512, 128, 512, "a"),
        "xᵀ·G1 (W0 gradient)": (784, 128, 512, "a"),
    },
    "cnn": {
        "conv1 windows·K0": (64 * 26 * 26, 9, 32, ""),
        "conv1 windowsᵀ·G (K0 gradient)": (9, 64 * 26 * 26, 32, "a"),
        "conv2 windows·K1": (64 * 11 * 11, 288, 64, ""),
        "conv2 windowsᵀ·G (K1 gradient)": (288, 64 * 11 * 11, 64, "a"),
        "conv2 G·K1ᵀ (input gradient)": (64 * 11 * 11, 64, 288, "b"),
    },
}


def operands(rows, depth, columns, transposed, rng):
    """The product's two operands, a transposed one as the transpose of a C-ordered array (a view, as a step's
    `x.T` is)."""
    a = rng.standard_normal((depth, rows) if "a" in transposed else (rows, depth), dtype=numpy.float32)
    b = rng.standard_normal((columns, depth) if "b" in transposed else (depth, columns), dtype=numpy.float32)
    return (a.T if "a" in transposed else a), (b.T if "b" in transposed else b)


def measure(repeats):
    """This process's kernels and each product's median µs over `repeats` runs after one warm-up."""
    rng = numpy.random.default_rng(0)
    found = {}
    for workload, products in PRODUCTS.items():
        for label, shape in products.items():
            a, b = operands(*shape, rng)
            result = numpy.empty((a.shape[0], b.shape[1]), numpy.float32)
            numpy.matmul(a, b, out=result)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                numpy.matmul(a, b, out=result)
                times.append(time.perf_counter() - start)
            found[f"{workload}: {label}"] = statistics.median(times) * 1e6
    return {"kernels": blas.describe(), "products": found}


def measure_in_a_process(core, repeats):
    """`measure` in a fresh interpreter that loads OpenBLAS with OPENBLAS_CORETYPE=core, on one thread."""
    environment = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1"), "OPENBLAS_CORETYPE": core}
    command = [sys.executable, os.path.abspath(__file__), "--measure", "--repeats", str(repeats)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", default="SkylakeX,Haswell", help="OPENBLAS_CORETYPE values, in turns")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.repeats)))
        return
    cores = arguments.cores.split(",")
    rounds, loads = interleaved_rounds(
        cores, arguments.rounds, lambda core: measure_in_a_process(core, arguments.repeats)
    )
    print(f"{arguments.rounds} rounds, {arguments.repeats} runs of each product a process, one thread; load ", end="")
    print(f"{min(loads):.2f}–{max(loads):.2f}; µs, medians over the rounds")
    print("kernels: " + "; ".join(f"{core}: {rounds[0][core]['kernels']}" for core in cores))
    labels = {workload: [f"{workload}: {label}" for label in products] for workload, products in PRODUCTS.items()}
    every = [label for workload_labels in labels.values() for label in workload_labels]
    medians = {
        core: {label: statistics.median(found[core]["products"][label] for found in rounds) for label in every}
        for core in cores
    }
    print(f"{'product':<45}" + "".join(f"{core:>12}" for core in cores))
    for label in every:
        print(f"{label:<45}" + "".join(f"{medians[core][label]:12.0f}" for core in cores))
    for workload, workload_labels in labels.items():
        summed = [sum(medians[core][label] for label in workload_labels) for core in cores]
        print(f"{workload + ', the products summed':<45}" + "".join(f"{total:12.0f}" for total in summed))


if __name__ == "__main__":
    main()
