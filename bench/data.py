"""DataLoader throughput on a slow dataset (each sample sleeps, like disk or network reads), by number of
worker threads, next to torch.utils.data.DataLoader (worker processes) measured in the same run.

Threads overlap the waits, so 4 workers should give at least 3x the batches per second of one. torch's
rate includes starting its worker processes (once per epoch, as with its default persistent_workers=False).

    python bench/data.py [--samples 256] [--batch 8] [--delay 0.002]
"""

import argparse
import time
import warnings

import numpy

from kerasish.data import DataLoader


class SleepingSamples:
    def __init__(self, size, delay):
        self.size, self.delay = size, delay

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        time.sleep(self.delay)
        return numpy.full(16, index, "float32"), index


def batches_per_second(loader):
    start = time.perf_counter()
    count = sum(1 for _ in loader)
    return count / (time.perf_counter() - start)


def torch_loader(dataset, batch, workers):
    try:
        import torch.utils.data
    except ImportError:
        return None
    return torch.utils.data.DataLoader(dataset, batch_size=batch, num_workers=workers, persistent_workers=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.002, help="seconds of sleep per sample")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    dataset = SleepingSamples(args.samples, args.delay)
    serial = args.batch * args.delay
    print(
        f"{args.samples} samples, batch {args.batch}, {args.delay * 1e3:.1f} ms per sample "
        f"(serial bound {1 / serial:.0f} batches/s)"
    )
    print(f"{'workers':>7} | {'kerasish b/s':>12} | {'x 1 worker':>10} | {'torch b/s':>9} | {'kerasish/torch':>14}")
    single = None
    for workers in (0, 1, 2, 4, 8):
        rate = batches_per_second(DataLoader(dataset, batch_size=args.batch, num_workers=workers))
        single = rate if workers == 1 else single
        peer = torch_loader(dataset, args.batch, workers)
        torch_rate = batches_per_second(peer) if peer is not None else float("nan")
        speedup = f"{rate / single:10.2f}" if single else f"{'-':>10}"
        print(f"{workers:>7} | {rate:12.1f} | {speedup} | {torch_rate:9.1f} | {rate / torch_rate:14.2f}")


if __name__ == "__main__":
    main()
