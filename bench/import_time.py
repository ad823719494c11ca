"""Time of `import kerasish` in fresh interpreters (target: under 0.5 s), next to `import numpy`
and `import torch` measured the same way in this run.

    python bench/import_time.py [--runs N]

Each figure is the best of N fresh subprocesses, timed inside the subprocess around the import
alone (interpreter start-up excluded); the ratio column is against `import torch`.
"""

import argparse
import subprocess
import sys
import tempfile

TIMER = "import time; start = time.perf_counter(); import {module}; print(time.perf_counter() - start)"


def import_seconds(module, runs):
    times = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", TIMER.format(module=module)],
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
        )  # the installed package, not the source folder
        if result.returncode != 0:
            return None
        times.append(float(result.stdout))
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per module")
    args = parser.parse_args()
    seconds = {module: import_seconds(module, args.runs) for module in ("numpy", "kerasish", "torch")}
    torch_seconds = seconds["torch"]
    print(f"{'import':>10} {'seconds':>8} {'vs torch':>9}")
    for module, value in seconds.items():
        if value is None:
            print(f"{module:>10} {'absent':>8}")
            continue
        ratio = f"{value / torch_seconds:9.2f}" if torch_seconds else f"{'-':>9}"
        print(f"{module:>10} {value:8.3f} {ratio}")
    met = seconds["kerasish"] is not None and seconds["kerasish"] < 0.5
    print(f"target for kerasish: < 0.5 s -> {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
