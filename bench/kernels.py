"""Convolution, pooling and batch-norm kernels, forward + backward, against torch on the CPU, in one run.

    python bench/kernels.py [--repeat N] [--only WORD]

Prints, per shape, the best-of-N time of kerasish (dynamic engine, numpy) and of torch, run in turns,
and their ratio (kerasish / torch: 1.0 is parity, 2.0 is twice as slow). Needs torch for the comparison.
"""

import argparse
import time

import numpy

from kerasish import ops
from kerasish.backends.dynamic import GradientTape, Tensor
from kerasish.backends.primitives.normalization import fused_batch_normalization

# (name, batch, size, in_channels, out_channels, kernel, stride, padding)
CONVS = [
    ("conv 28x28x1->32 3x3", 64, 28, 1, 32, 3, 1, "same"),
    ("conv 32x32x32->64 3x3", 64, 32, 32, 64, 3, 1, "same"),
    ("conv 56x56x64->64 3x3 (ResNet)", 32, 56, 64, 64, 3, 1, "same"),
    ("conv 56x56x64->128 3x3 /2", 32, 56, 64, 128, 3, 2, "same"),
    ("conv 56x56x64->256 1x1 (ResNet)", 32, 56, 64, 256, 1, 1, "valid"),
]
# (name, batch, size, channels, kernel, stride, multiplier)
DEPTHWISE = [
    ("depthwise 56x56x64 3x3", 32, 56, 64, 3, 1, 1),
    ("depthwise 56x56x64 3x3 /2", 32, 56, 64, 3, 2, 1),
    ("depthwise 28x28x64 3x3 x2", 32, 28, 64, 3, 1, 2),
]
# (name, batch, size, channels)
NORMS = [
    ("batch norm (train) 56x56x64", 32, 56, 64),
]
# (name, batch, size, channels, pool, stride, padding)
POOLS = [
    ("max_pool 26x26x32 2x2 (small CNN)", 64, 26, 32, 2, 2, "valid"),
    ("max_pool 32x32x64 2x2", 64, 32, 64, 2, 2, "valid"),
    ("max_pool 112x112x64 3x3 /2 (ResNet)", 32, 112, 64, 3, 2, "same"),
]


def best_times(functions, repeat):
    """Best-of-`repeat` seconds for each function, run in turns so load changes hit all alike."""
    best = [float("inf")] * len(functions)
    for round_ in range(repeat + 1):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            function()
            if round_:
                best[i] = min(best[i], time.perf_counter() - start)
    return best


def kerasish_step(op, x, *weights):
    def step():
        inputs = [Tensor(x), *[Tensor(w) for w in weights]]
        with GradientTape() as tape:
            tape.watch(inputs)
            y = op(*inputs)
        tape.gradient(y, inputs, output_gradients=y)

    return step


def torch_step(torch, op, x, *weights):
    def step():
        inputs = [torch.from_numpy(a).requires_grad_() for a in (x, *weights)]
        y = op(*inputs)
        y.backward(y.detach())

    return step


def cases(torch):
    rng = numpy.random.default_rng(0)
    functional = torch.nn.functional if torch else None
    for name, batch, size, cin, cout, k, stride, padding in CONVS:
        x = rng.standard_normal((batch, size, size, cin), numpy.float32)
        w = rng.standard_normal((k, k, cin, cout), numpy.float32)
        ours = kerasish_step(lambda a, b: ops.conv(a, b, strides=stride, padding=padding), x, w)
        theirs = None
        if torch:
            pad = k // 2 if padding == "same" else 0
            theirs = torch_step(
                torch,
                lambda a, b: functional.conv2d(a, b, stride=stride, padding=pad),
                x.transpose(0, 3, 1, 2).copy(),
                w.transpose(3, 2, 0, 1).copy(),
            )
        yield name, ours, theirs
    for name, batch, size, channels, pool, stride, padding in POOLS:
        x = rng.standard_normal((batch, size, size, channels), numpy.float32)
        ours = kerasish_step(lambda a: ops.max_pool(a, pool, stride, padding), x)
        theirs = None
        if torch:
            pad = pool // 2 if padding == "same" else 0
            theirs = torch_step(
                torch, lambda a: functional.max_pool2d(a, pool, stride, pad), x.transpose(0, 3, 1, 2).copy()
            )
        yield name, ours, theirs
    for name, batch, size, channels, k, stride, multiplier in DEPTHWISE:
        x = rng.standard_normal((batch, size, size, channels), numpy.float32)
        w = rng.standard_normal((k, k, channels, multiplier), numpy.float32)
        ours = kerasish_step(lambda a, b: ops.depthwise_conv(a, b, strides=stride, padding="same"), x, w)
        theirs = None
        if torch:
            theirs = torch_step(
                torch,
                lambda a, b: functional.conv2d(a, b, stride=stride, padding=k // 2, groups=channels),
                x.transpose(0, 3, 1, 2).copy(),
                w.transpose(2, 3, 0, 1).reshape(channels * multiplier, 1, k, k).copy(),  # filter c * multiplier + m
            )
        yield name, ours, theirs
    for name, batch, size, channels in NORMS:  # what BatchNormalization runs while training
        x = rng.standard_normal((batch, size, size, channels), numpy.float32)
        gamma, beta = rng.standard_normal((2, channels), numpy.float32)
        ours = kerasish_step(lambda a, g, b: fused_batch_normalization(a, -1, b, g)[0], x, gamma, beta)
        theirs = None
        if torch:
            theirs = torch_step(
                torch,
                lambda a, g, b: functional.batch_norm(a, None, None, g, b, training=True, eps=1e-3),
                x.transpose(0, 3, 1, 2).copy(),
                gamma,
                beta,
            )
        yield name, ours, theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="only the shapes whose name contains this word")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    print(f"{'forward + backward':40s} {'kerasish ms':>12s} {'torch ms':>10s} {'ratio':>7s}")
    for name, ours, theirs in cases(torch):
        if args.only not in name:
            continue
        if theirs is None:
            print(f"{name:40s} {best_times([ours], args.repeat)[0] * 1e3:12.1f} {'-':>10s} {'-':>7s}")
            continue
        mine, peer = (t * 1e3 for t in best_times([ours, theirs], args.repeat))
        print(f"{name:40s} {mine:12.1f} {peer:10.1f} {mine / peer:7.2f}")


if __name__ == "__main__":
    main()
