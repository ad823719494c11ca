"""Per-op overhead of the dynamic engine on tiny arrays, against bare numpy and torch eager.

    python bench/op_overhead.py [--number N]

Each row times one op call (`a + b`, `a * 2.0`, `a @ b`) on a Tensor, with and without a GradientTape
recording it, next to the same call on numpy arrays and on torch tensors (plain, and with
requires_grad=True so torch records its graph too), all measured in this run. Recorded calls run
in blocks of BLOCK ops whose results stay alive until the block ends, on both sides. Times are the best
of several repeats, in microseconds; the ratios are kerasish / torch (below 1 is faster).
"""

import argparse
import timeit

import numpy

import kerasish
from kerasish.backends.dynamic import Tensor

try:
    import torch
except ImportError:
    torch = None

OPERATORS = {"add": lambda a, b: a + b, "scale": lambda a, b: a * 2.0, "matmul": lambda a, b: a @ b}
NEEDS = {"add": "add", "scale": "multiply", "matmul": "matmul"}  # the kerasish op behind each operator
SIZES = (4, 32)
BLOCK = 50  # recorded ops per tape (per torch graph), like a small training step


def per_call(function, number, repeat=7):
    function()
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def time_kerasish(operator, a, b, number):
    plain = per_call(lambda: operator(a, b), number)

    def recorded_block():
        with kerasish.GradientTape() as tape:
            tape.watch(a)
            for _ in range(BLOCK):
                operator(a, b)

    return plain, per_call(recorded_block, number // BLOCK) / BLOCK


def time_torch(operator, a, b, number):
    if torch is None:
        return float("nan"), float("nan")
    x, y = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
    plain = per_call(lambda: operator(x, y), number)
    x.requires_grad_(True)

    def recorded_block():
        return [operator(x, y) for _ in range(BLOCK)]  # kept alive, as the tape keeps its records

    return plain, per_call(recorded_block, number // BLOCK) / BLOCK


def has_op(name):
    return hasattr(kerasish.ops, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000, help="calls per repeat")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    header = (
        f"{'op':>7} {'size':>6} | {'numpy':>7} {'kerasish':>9} {'torch':>7} {'ratio':>6} | "
        f"{'kerasish+tape':>13} {'torch+grad':>10} {'ratio':>6}"
    )
    print(f"per-call time in microseconds (torch {'absent' if torch is None else torch.__version__})")
    print(header)
    print("-" * len(header))
    for name, operator in OPERATORS.items():
        if not has_op(NEEDS[name]):
            print(f"{name:>7}   (kerasish.ops.{NEEDS[name]} is not defined yet)")
            continue
        for size in SIZES:
            arrays = [numpy.random.default_rng(i).standard_normal((size, size)).astype("float32") for i in (0, 1)]
            bare = per_call(lambda: operator(*arrays), args.number)
            plain, recorded = time_kerasish(operator, *[Tensor(a) for a in arrays], args.number)
            torch_plain, torch_recorded = time_torch(operator, *arrays, args.number)
            print(
                f"{name:>7} {size:>3}x{size:<2} | {bare:7.2f} {plain:9.2f} {torch_plain:7.2f} "
                f"{plain / torch_plain:6.2f} | {recorded:13.2f} {torch_recorded:10.2f} "
                f"{recorded / torch_recorded:6.2f}"
            )


if __name__ == "__main__":
    main()
