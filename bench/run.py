"""The benchmark suite: every workload on kerasish (dynamic and static engines), torch and, when an
interpreter with it is given, Keras on JAX — measured in the same run, printed as one table.

    python bench/run.py [--device cpu|gpu] [--quick] [--workloads mlp,cnn,...]
                        [--keras-python /tmp/venv-keras/bin/python] [--timeout SECONDS]

Each (runner, workload) runs in its own subprocess, so its peak memory is its own: max RSS on the
CPU; on the GPU, torch.cuda.max_memory_allocated or the bytes cupy's memory pool holds at the end.
Train workloads time `model.fit` over the timed steps after a one-batch warm-up fit (which holds
the static engine's trace and JAX's compilation); torch runs a hand-written loop (zero_grad,
forward, loss, backward, SGD step) over the same data. Inference workloads time `model.predict`
(torch: forward under no_grad). Ratios are throughput against torch (>1: faster than torch).
The workloads are defined in bench/workloads.py.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from workloads import RATE, WORKLOADS, data

RUNNERS = ("kerasish-dynamic", "kerasish-static", "torch", "keras-jax")


def _keras_module(runner, device):
    if runner == "keras-jax":
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras

        return keras, {}
    import kerasish

    return kerasish, {"backend": runner.split("-")[1]}


def _keras_like(workload, runner, device, x, y, batch):
    """Seconds for the timed part on kerasish or Keras (both take the Keras 3 API)."""
    keras, compile_options = _keras_module(runner, device)
    model = workload.build(keras)
    if workload.mode == "train":
        loss = (
            "mean_squared_error"
            if workload.classes == 0
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        )
        model.compile(optimizer=keras.optimizers.SGD(RATE), loss=loss, **compile_options)
        model.fit(x[:batch], y[:batch], batch_size=batch, epochs=1, shuffle=False, verbose=0)
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        return time.perf_counter() - start
    model.compile(**compile_options)
    model.predict(x[:batch], batch_size=batch, verbose=0)
    start = time.perf_counter()
    model.predict(x, batch_size=batch, verbose=0)
    return time.perf_counter() - start


def _torch(workload, device, x, y, batch):
    import torch

    target = "cuda" if device == "gpu" else "cpu"
    synchronize = torch.cuda.synchronize if target == "cuda" else (lambda: None)
    net = workload.torch_model(torch).to(target)
    if x.ndim == 4:
        x = x.transpose(0, 3, 1, 2).copy()
    inputs, targets = torch.from_numpy(x).to(target), torch.from_numpy(y).to(target)
    if workload.mode == "inference":
        net.eval()

        def step(start):
            with torch.no_grad():
                net(inputs[start : start + batch])
    else:
        loss_function = torch.nn.MSELoss() if workload.classes == 0 else torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=RATE)

        def step(start):
            optimizer.zero_grad()
            loss_function(net(inputs[start : start + batch]), targets[start : start + batch]).backward()
            optimizer.step()

    step(0)
    synchronize()
    start = time.perf_counter()
    for first in range(0, len(inputs), batch):
        step(first)
    synchronize()
    return time.perf_counter() - start


def _peak_megabytes(runner, device):
    if device == "gpu" and runner == "torch":
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    if device == "gpu" and runner.startswith("kerasish"):
        import cupy

        return cupy.get_default_memory_pool().total_bytes() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name, runner, device, batch, steps):
    """One measurement in this process; prints its result as one JSON line."""
    workload = WORKLOADS[name]
    x, y = data(workload, batch, steps)
    if runner == "torch":
        seconds = _torch(workload, device, x, y, batch)
    elif runner.startswith("kerasish"):
        import kerasish

        with kerasish.device(device):
            seconds = _keras_like(workload, runner, device, x, y, batch)
    else:
        seconds = _keras_like(workload, runner, device, x, y, batch)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    print(
        json.dumps(
            {
                "steps_per_second": steps / seconds,
                "peak_mb": _peak_megabytes(runner, device),
                "minor_page_faults": faults,
            }
        )
    )


def _run_one(python, name, runner, arguments, batch, steps):
    command = [
        python,
        os.path.abspath(__file__),
        "--measure",
        name,
        runner,
        "--device",
        arguments.device,
        "--batch",
        str(batch),
        "--steps",
        str(steps),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=arguments.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {arguments.timeout}s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:100]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _runners(arguments):
    found = {runner: sys.executable for runner in RUNNERS[:3]}
    if arguments.keras_python and arguments.device == "cpu":
        found["keras-jax"] = arguments.keras_python
    return found


def _sizes(workload, arguments):
    steps = workload.steps[arguments.device]
    batch = workload.batch[arguments.device]
    if arguments.quick:
        return min(batch, 8) if workload.name.startswith("resnet") else batch, max(1, steps // 10)
    return batch, steps


def _cell(result, torch_result):
    if "error" in result:
        return f"n/a ({result['error']})"
    rate = f"{result['steps_per_second']:.2f}"
    if torch_result and "error" not in torch_result:
        rate += f" ({result['steps_per_second'] / torch_result['steps_per_second']:.2f}x)"
    return rate


def _row(cells):
    return "| " + " | ".join(cells) + " |"


VERSION_PROBE = (
    "import importlib, importlib.util, os, sys; os.environ.setdefault('KERAS_BACKEND', 'jax'); "
    "print(' '.join(f'{name} {importlib.import_module(name).__version__}' "
    "for name in sys.argv[1:] if importlib.util.find_spec(name)))"
)


def _versions(runners):
    """The libraries each interpreter measures with, as `name version` pairs."""
    probes = [(sys.executable, ["numpy", "torch", "cupy"])]
    if "keras-jax" in runners:
        probes.append((runners["keras-jax"], ["keras", "jax"]))
    return ", ".join(
        subprocess.run([python, "-c", VERSION_PROBE, *names], capture_output=True, text=True).stdout.strip()
        for python, names in probes
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--quick", action="store_true", help="a tenth of the steps: a smoke run")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--keras-python", help="an interpreter with keras and jax (optional)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per measurement")
    parser.add_argument("--measure", nargs=2, metavar=("WORKLOAD", "RUNNER"), help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        return measure(*arguments.measure, arguments.device, arguments.batch, arguments.steps)
    runners = _runners(arguments)
    print(f"device {arguments.device}; steps/s (ratio to torch), peak MB; {_versions(runners)}\n")
    header = ["workload", "batch", *runners, *(f"MB {runner}" for runner in runners)]
    print(_row(header))
    print(_row(["---"] * len(header)))
    for name in arguments.workloads.split(","):
        batch, steps = _sizes(WORKLOADS[name], arguments)
        results = {
            runner: _run_one(python, name, runner, arguments, batch, steps) for runner, python in runners.items()
        }
        torch_result = results.get("torch")
        cells = [_cell(result, torch_result) for result in results.values()]
        memory = [f"{result['peak_mb']:.0f}" if "peak_mb" in result else "n/a" for result in results.values()]
        print(_row([name, str(batch), *cells, *memory]), flush=True)


if __name__ == "__main__":
    main()
