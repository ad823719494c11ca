"""One command for the day a GPU is lent: the `gpu` tests, then MLP, ResNet-50 training and LSTM on kerasish
(dynamic and static engines, cupy) against torch CUDA in the same run, with peak device memory; writes
gpu_check.json and gpu_check.md to --out and says how long each part took.

    python bench/gpu_check.py [--out DIR] [--quick] [--standin] [--rounds N] [--workloads mlp,lstm,...]

Budgeted to finish within 10 minutes on one H100: the tests get --tests-budget seconds, the benchmarks
what is left of --budget; a measurement that would start past the budget is skipped and says so.
Benchmark rounds are interleaved (every workload and runner in turn, then again), each measurement in its
own process (bench/run.py --measure), and the table shows the median steps/s and the median of the
per-round ratios to torch. `--standin` runs everything on the strict cupy stand-in (tests/gpu_standin),
so the code paths can be tried where there is no GPU; torch CUDA parts then skip with a line that says so.
`--quick` takes one or two steps per measurement: a dry run.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from workloads import WORKLOADS  # noqa: E402 (bench/ is not a package)

CHECKED = ("mlp", "resnet50-train", "lstm")
RUNNERS = ("kerasish-dynamic", "kerasish-static", "torch")
STANDIN = {"KERASISH_GPU_MODULE": "tests.gpu_standin.strict_cupy"}


def _environment(standin):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, environment.get("PYTHONPATH")]))
    environment.pop("KERASISH_DEVICE", None)
    if standin:
        environment.update(STANDIN)
    return environment


def _torch_cuda():
    """Why torch CUDA cannot run here, or None when it can."""
    probe = "import torch; print(torch.__version__, torch.cuda.is_available())"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if done.returncode != 0:
        return "torch is not installed"
    if not done.stdout.split()[-1] == "True":
        return f"torch {done.stdout.split()[0]} sees no CUDA device"
    return None


def run_tests(arguments, environment):
    """`pytest -m gpu` within the tests' budget: the counts pytest reports, or the reason it stopped."""
    command = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-p", "no:cacheprovider", "tests"]
    if arguments.standin:
        command += ["-p", "tests.gpu_standin.plugin"]
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=arguments.tests_budget
        )
    except subprocess.TimeoutExpired:
        return {"error": f"over the {arguments.tests_budget:.0f}s budget"}
    summary = (done.stdout.strip().splitlines() or ["no output"])[-1]
    counts = {kind: int(number) for number, kind in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary)}
    failures = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return {"exit_code": done.returncode, "summary": summary.strip("= "), **counts, "failures": failures[:20]}


def _sizes(name, quick):
    workload = WORKLOADS[name]
    batch, steps = workload.batch["gpu"], workload.steps["gpu"]
    if quick:
        return (2 if name.startswith("resnet") else batch), 1
    return batch, steps


def measure(name, runner, arguments, environment, timeout):
    batch, steps = _sizes(name, arguments.quick)
    command = [sys.executable, os.path.join(HERE, "run.py"), "--measure", name, runner, "--device", "gpu"]
    command += ["--batch", str(batch), "--steps", str(steps)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f}s", "seconds": time.perf_counter() - start}
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1][:160], "seconds": seconds}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "seconds": seconds}


def run_benchmarks(arguments, environment, deadline, torch_missing):
    """Interleaved rounds: {workload: {runner: [result per round]}}."""
    names = arguments.workloads.split(",")
    results = {name: {runner: [] for runner in RUNNERS} for name in names}
    for _ in range(arguments.rounds):
        for name in names:
            for runner in RUNNERS:
                if runner == "torch" and torch_missing:
                    result = {"skipped": torch_missing}
                elif time.monotonic() >= deadline:
                    result = {"skipped": "the time budget is spent"}
                else:
                    timeout = min(arguments.measure_timeout, deadline - time.monotonic())
                    result = measure(name, runner, arguments, environment, timeout)
                results[name][runner].append(result)
    return results


def summarise(results):
    """Per workload and runner: median steps/s, median per-round ratio to torch, median peak MB, or why not."""
    table = {}
    for name, runners in results.items():
        table[name] = {}
        for runner, rounds in runners.items():
            good = [r for r in rounds if "steps_per_second" in r]
            if not good:
                table[name][runner] = {"note": next(r.get("error") or r.get("skipped") for r in rounds)}
                continue
            ratios = [
                r["steps_per_second"] / t["steps_per_second"]
                for r, t in zip(rounds, runners["torch"])
                if "steps_per_second" in r and "steps_per_second" in t
            ]
            peaks = [r["peak_mb"] for r in good if r.get("peak_mb") is not None]
            table[name][runner] = {
                "steps_per_second": statistics.median(r["steps_per_second"] for r in good),
                "ratio_to_torch": statistics.median(ratios) if ratios else None,
                "peak_mb": statistics.median(peaks) if peaks else None,
            }
    return table


def markdown(report):
    lines = [
        f"GPU check, {report['device']}; {report['versions']}",
        "",
        f"gpu tests: {report['tests'].get('summary') or report['tests'].get('error')}"
        f" ({report['timings']['tests']:.0f}s)",
        "",
        "| workload | batch | " + " | ".join(RUNNERS) + " | " + " | ".join(f"peak MB {r}" for r in RUNNERS) + " |",
        "|" + " --- |" * (2 + 2 * len(RUNNERS)),
    ]
    for name, runners in report["table"].items():
        cells, peaks = [], []
        for runner in RUNNERS:
            cell = runners[runner]
            if "note" in cell:
                cells.append(f"n/a ({cell['note']})")
                peaks.append("n/a")
                continue
            ratio = f" ({cell['ratio_to_torch']:.2f}x)" if cell["ratio_to_torch"] is not None else ""
            cells.append(f"{cell['steps_per_second']:.2f}{ratio}")
            peaks.append(f"{cell['peak_mb']:.0f}" if cell["peak_mb"] is not None else "n/a")
        lines.append(f"| {name} | {_sizes(name, report['quick'])[0]} | " + " | ".join(cells + peaks) + " |")
    lines += ["", "steps/s (median of the per-round ratios to torch in the same round); peak device memory in MB."]
    lines += [f"{part}: {seconds:.0f}s" for part, seconds in report["timings"].items()]
    return "\n".join(lines) + "\n"


def _versions(environment):
    probe = (
        "import importlib, importlib.util; print(' '.join(f'{n} {importlib.import_module(n).__version__}' "
        "for n in ('numpy', 'cupy', 'torch') if importlib.util.find_spec(n)))"
    )
    return subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.environ.get("OUT") or "gpu_check_out", help="folder for the results")
    parser.add_argument("--quick", action="store_true", help="one step per measurement: a dry run")
    parser.add_argument("--standin", action="store_true", help="the strict cupy stand-in as the GPU (no GPU)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of every measurement")
    parser.add_argument("--workloads", default=",".join(CHECKED), help="of bench/workloads.py")
    parser.add_argument("--budget", type=float, default=540, help="seconds for the whole check")
    parser.add_argument("--tests-budget", type=float, default=240, help="seconds for the gpu tests")
    parser.add_argument("--measure-timeout", type=float, default=120, help="seconds per measurement")
    arguments = parser.parse_args()
    start = time.monotonic()
    environment = _environment(arguments.standin)
    torch_missing = _torch_cuda()
    device = "strict cupy stand-in (no GPU)" if arguments.standin else "cupy on the GPU"
    print(f"device: {device}", flush=True)
    if torch_missing:
        print(f"torch CUDA parts skip: {torch_missing}", flush=True)
    timings = {}
    tests = run_tests(arguments, environment)
    timings["tests"] = time.monotonic() - start
    print(f"gpu tests ({timings['tests']:.0f}s): {tests.get('summary') or tests.get('error')}", flush=True)
    benchmarks_start = time.monotonic()
    results = run_benchmarks(arguments, environment, start + arguments.budget, torch_missing)
    timings["benchmarks"] = time.monotonic() - benchmarks_start
    for name, runners in results.items():
        for runner, rounds in runners.items():
            spent = sum(r.get("seconds", 0) for r in rounds)
            timings[f"{name} {runner}"] = spent
    timings["total"] = time.monotonic() - start
    report = {
        "device": device,
        "versions": _versions(environment),
        "quick": arguments.quick,
        "rounds": arguments.rounds,
        "tests": tests,
        "table": summarise(results),
        "measurements": results,
        "timings": timings,
    }
    os.makedirs(arguments.out, exist_ok=True)
    with open(os.path.join(arguments.out, "gpu_check.json"), "w") as handle:
        json.dump(report, handle, indent=2)
    table = markdown(report)
    with open(os.path.join(arguments.out, "gpu_check.md"), "w") as handle:
        handle.write(table)
    print(table)
    print(f"written: {arguments.out}/gpu_check.json, {arguments.out}/gpu_check.md")
    return 0 if tests.get("exit_code") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
