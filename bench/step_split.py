"""Each engine's training step split into its kernels and the Python around them, both engines in one process.

    python bench/step_split.py [--workload mlp] [--rounds 12] [--steps 50]

A train workload of bench/run.py (the MLP by default) is built twice, compiled for the dynamic and for the static
engine, and fit over the same batches in turns (dynamic then static, static then dynamic, ...) on one BLAS thread,
after a one-batch warm-up fit each. A clock wraps every kernel a step runs: each primitive's forward (the
dynamic engine's ops; one run inside another's forward counts in the outer one), each step of a static plan, and
the kernel updates queued to the end of an eager step (`kernels/blas.accumulate_suited`). Printed per engine, in
µs a step (medians over the rounds): the step, its kernels, the rest — the engine's Python: layers, tape,
backward walk, optimizer, metrics and the fit loop, which runs with cold caches after each large kernel — and
each kernel by name. The two engines run the same large products: their steps differ by their small kernels and
by the rest.
"""

import argparse
import collections
import contextlib
import os
import statistics
import time

from run import on_one_thread, ready_to_train
from workloads import WORKLOADS, data

import kerasish
from kerasish.backends.kernels import blas
from kerasish.backends.primitives.registry import PRIMITIVES
from kerasish.backends.static import plan

ENGINES = ("dynamic", "static")


class KernelClock:
    """Seconds spent in kernels, by name, while `installed`; a kernel called inside another is the outer one's."""

    def __init__(self):
        self.spent = collections.defaultdict(float)
        self._inside = False

    def wrap(self, name, kernel):
        def timed(*arguments, **attributes):
            if self._inside:
                return kernel(*arguments, **attributes)
            self._inside = True
            start = time.perf_counter()
            try:
                return kernel(*arguments, **attributes)
            finally:
                self.spent[name] += time.perf_counter() - start
                self._inside = False

        return timed

    @contextlib.contextmanager
    def installed(self):
        """Every primitive's forward, the queued kernel updates and the steps of the static plans made inside the
        block run under the clock; all put back afterwards (plans made inside keep their clocked steps)."""
        forwards = {name: primitive.forward for name, primitive in PRIMITIVES.items()}
        accumulate, generate = blas.accumulate_suited, plan.Plan.generate
        clock = self

        def generate_clocked(self, delete_dead):
            for step in self.steps:
                step.kernel = clock.wrap(f"plan: {step.node.op.name}", step.kernel)
            return generate(self, delete_dead)

        try:
            for name, primitive in PRIMITIVES.items():
                primitive.forward = self.wrap(name, primitive.forward)
            blas.accumulate_suited = self.wrap("queued kernel updates", accumulate)
            plan.Plan.generate = generate_clocked
            yield self
        finally:
            for name, forward in forwards.items():
                PRIMITIVES[name].forward = forward
            blas.accumulate_suited, plan.Plan.generate = accumulate, generate


def split(workload, batch, steps, rounds):
    """{engine: {"step": [µs a step, per round], "kernels": [...], "by kernel": {name: [...]}}}."""
    x, y = data(workload, batch, steps)
    clock = KernelClock()
    found = {engine: {"step": [], "kernels": [], "by kernel": collections.defaultdict(list)} for engine in ENGINES}
    with clock.installed():
        models = {engine: ready_to_train(kerasish, workload, x, y, batch, backend=engine) for engine in ENGINES}
        for index in range(rounds):
            for engine in ENGINES if index % 2 == 0 else ENGINES[::-1]:
                clock.spent.clear()
                start = time.perf_counter()
                models[engine].fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
                seconds = time.perf_counter() - start
                found[engine]["step"].append(seconds / steps * 1e6)
                found[engine]["kernels"].append(sum(clock.spent.values()) / steps * 1e6)
                for name, spent in clock.spent.items():
                    found[engine]["by kernel"][name].append(spent / steps * 1e6)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="mlp", choices=[n for n, w in WORKLOADS.items() if w.mode == "train"])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--steps", type=int, default=50)
    arguments = parser.parse_args()
    on_one_thread()
    workload = WORKLOADS[arguments.workload]
    batch = workload.batch["cpu"]
    found = split(workload, batch, arguments.steps, arguments.rounds)
    print(f"{workload.description}, batch {batch}, one thread; {arguments.rounds} rounds of {arguments.steps} steps")
    print(f"numpy's BLAS: {blas.describe() or 'not a bundled OpenBLAS'}")
    print(f"load {os.getloadavg()[0]:.2f}; µs a step, medians over the rounds")
    for engine, times in found.items():
        rest = [step - kernels for step, kernels in zip(times["step"], times["kernels"])]
        print(
            f"{engine}: step {statistics.median(times['step']):.0f}, kernels {statistics.median(times['kernels']):.0f},"
            f" the rest (Python) {statistics.median(rest):.0f} ({min(rest):.0f}–{max(rest):.0f})"
        )
        by_kernel = {name: statistics.median(values) for name, values in times["by kernel"].items()}
        for name, spent in sorted(by_kernel.items(), key=lambda item: -item[1]):
            print(f"    {name:<45} {spent:8.1f}")


if __name__ == "__main__":
    main()
