"""Data-parallel `fit` over 1 and 2 MPI processes on this CPU, and a projection to 8, 64 and 512 GPUs.

    python bench/distributed.py [--steps N] [--repeats R] [--batch B]

Measured here (each process one thread: OMP/BLAS threads pinned to 1, so 2 processes use 2 cores):
  workload  Dense 784-1024-1024-10 (relu), local batch B per process (weak scaling: the global batch
            is B x processes), sparse categorical cross-entropy, SGD, static engine.
  samples/s global samples per second of `fit` over N steps after a warm-up epoch; best of R.
  efficiency  samples/s with 2 processes / (2 x samples/s with 1).
  allreduce the bucketed gradient allreduce of one step alone (`allreduce_gradients` on the model's
            gradient shapes), timed with 2 processes: MPI shared memory on one machine.

Projection (no overlap of the allreduce with the backward pass, which kerasish does not do yet, so the
figures are a lower bound on efficiency):
  efficiency(N) = t_compute / (t_compute + t_allreduce(N)),
  t_allreduce(N) = 2 (N - 1) / N x S / busbw + buckets x 2 (N - 1) x alpha   (ring allreduce)
with S the gradient bytes per step. Sources of the figures:
  - busbw, the ring's bus bandwidth, and the formula algbw = busbw x N / (2 (N - 1)) for allreduce:
    NVIDIA nccl-tests, doc/PERFORMANCE.md.
  - 232 GB/s allreduce busbw within one node of 8 A100 (NVSwitch): all_reduce_perf -g 8 on one node,
    NVIDIA/nccl-tests issue #175. Used for 8 GPUs.
  - 192 GB/s allreduce busbw between DGX A100 nodes with 8 x 200 Gb/s InfiniBand: NVIDIA's
    measurement quoted by an NCCL maintainer in NVIDIA/nccl issue #812. Used for 64 and 512 GPUs.
  - ResNet-50 v1.5 training on one A100 80GB: 2470 img/s mixed precision, 938 img/s TF32, batch 256
    per GPU (NVIDIA DeepLearningExamples, PyTorch/Classification/ConvNets/resnet50v1.5/README.md),
    so t_compute = 256 / throughput; 25.6 M parameters, fp32 gradients: S = 102 MB.
  - For comparison, the same README measures 8 A100 at 6.72x one (84%) in mixed precision and 7.72x
    (97%) in TF32: the projection leaves out everything but the gradient allreduce (input pipeline,
    stragglers, the cost of the first step).
  - alpha = 5 us per ring step is an assumption (the order of one NVLink/InfiniBand hop), not a
    sourced figure; NCCL switches to tree algorithms when this latency term would dominate.
For this CPU workload, the projection uses its own measured compute time per step and gradient bytes.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
BUCKET_BYTES = 25 * 2**20
ALPHA = 5e-6
BUSBW = {8: 232e9, 64: 192e9, 512: 192e9}
RESNET50 = {"parameters": 25.6e6, "batch": 256, "mixed precision": 2470.0, "TF32": 938.0}


def worker(steps, repeats, batch):
    import numpy

    import kerasish
    from kerasish import distribution, layers
    from kerasish.distribution.collectives import allreduce_gradients
    from kerasish.distribution.distribution_lib import communicator

    distribution.set_distribution(distribution.DataParallel())
    size, rank = distribution.num_processes(), distribution.process_id()
    kerasish.utils.set_random_seed(0)
    model = kerasish.Sequential(
        [
            kerasish.Input((784,)),
            layers.Dense(1024, activation="relu"),
            layers.Dense(1024, activation="relu"),
            layers.Dense(10),
        ]
    )
    model.compile(
        optimizer="sgd", loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True), backend="static"
    )
    data = numpy.random.default_rng(0)
    samples = steps * batch * size
    x = data.normal(size=(samples, 784)).astype("float32")
    y = data.integers(0, 10, size=samples)
    model.fit(x[: batch * size * 2], y[: batch * size * 2], batch_size=batch * size, epochs=1, verbose=0)
    transport = communicator()
    best = float("inf")
    for _ in range(repeats):
        transport.broadcast_object(None)  # a barrier
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch * size, epochs=1, shuffle=False, verbose=0)
        best = min(best, max(transport.allgather_object(time.perf_counter() - start)))
    gradients = [numpy.zeros(v.shape, "float32") for v in model.trainable_variables]
    allreduce_gradients(gradients)
    reduce_best = float("inf")
    for _ in range(repeats):
        transport.broadcast_object(None)
        start = time.perf_counter()
        for _ in range(steps):
            allreduce_gradients(gradients)
        reduce_best = min(reduce_best, max(transport.allgather_object(time.perf_counter() - start)) / steps)
    if rank == 0:
        print(
            json.dumps(
                {
                    "processes": size,
                    "samples_per_second": samples / best,
                    "step_seconds": best / steps,
                    "allreduce_seconds": reduce_best,
                    "gradient_bytes": sum(g.nbytes for g in gradients),
                }
            )
        )


def ring_seconds(size_bytes, gpus, busbw):
    buckets = max(1, -(-int(size_bytes) // BUCKET_BYTES))
    return 2 * (gpus - 1) / gpus * size_bytes / busbw + buckets * 2 * (gpus - 1) * ALPHA


def projection_rows(name, compute_seconds, size_bytes):
    rows = []
    for gpus, busbw in BUSBW.items():
        bandwidth_only = 2 * (gpus - 1) / gpus * size_bytes / busbw
        with_latency = ring_seconds(size_bytes, gpus, busbw)
        rows.append(
            f"| {name} | {gpus} | {compute_seconds * 1e3:.1f} | {bandwidth_only * 1e3:.2f} | "
            f"{compute_seconds / (compute_seconds + bandwidth_only):.1%} | {with_latency * 1e3:.2f} | "
            f"{compute_seconds / (compute_seconds + with_latency):.1%} |"
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--worker", action="store_true")
    options = parser.parse_args()
    if options.worker:
        return worker(options.steps, options.repeats, options.batch)
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if mpiexec is None:
        sys.exit("bench/distributed.py needs mpiexec: pip install 'kerasish[distributed]'")
    results = {}
    for processes in (1, 2):
        job = subprocess.run(
            [
                mpiexec,
                "-n",
                str(processes),
                sys.executable,
                __file__,
                "--worker",
                "--steps",
                str(options.steps),
                "--repeats",
                str(options.repeats),
                "--batch",
                str(options.batch),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, **ONE_THREAD},
        )
        if job.returncode:
            sys.exit(job.stdout + job.stderr)
        results[processes] = json.loads(job.stdout.strip().splitlines()[-1])
    one, two = results[1], results[2]
    print(
        f"MLP 784-1024-1024-10, local batch {options.batch}, {options.steps} steps, best of {options.repeats}, "
        f"gradients {one['gradient_bytes'] / 1e6:.1f} MB\n"
    )
    print("| processes | samples/s | step (ms) | allreduce per step (ms) |")
    print("|---|---|---|---|")
    for processes, result in results.items():
        allreduce = f"{result['allreduce_seconds'] * 1e3:.2f}" if processes > 1 else "-"
        print(
            f"| {processes} | {result['samples_per_second']:.0f} | {result['step_seconds'] * 1e3:.1f} | {allreduce} |"
        )
    ratio = two["samples_per_second"] / one["samples_per_second"]
    print(f"\n2 processes / 1: {ratio:.2f}x samples/s, scaling efficiency {ratio / 2:.0%}\n")
    print("Projection (ring allreduce, no overlap; bandwidths and compute times cited in the docstring):\n")
    print(
        "| workload | GPUs | compute/step (ms) | allreduce, bandwidth (ms) | efficiency | "
        "allreduce + 5 us/hop (ms) | efficiency |"
    )
    print("|---|---|---|---|---|---|---|")
    resnet_bytes = RESNET50["parameters"] * 4
    for precision in ("mixed precision", "TF32"):
        for row in projection_rows(
            f"ResNet-50 A100 {precision}", RESNET50["batch"] / RESNET50[precision], resnet_bytes
        ):
            print(row)
    for row in projection_rows("this MLP (CPU compute measured)", one["step_seconds"], one["gradient_bytes"]):
        print(row)


if __name__ == "__main__":
    main()
