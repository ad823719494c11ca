"""ResNet50 inference: images/s at batch 8, 224x224, on both kerasish engines next to torch (CPU).

Each measurement runs in its own subprocess so peak memory (max RSS) is its own.

    python bench/applications.py [--batch 8] [--steps 5] [--device cpu|gpu]
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy


def _kerasish(engine, batch, steps, device):
    import kerasish

    with kerasish.device(device):
        model = kerasish.applications.ResNet50(weights=None)
        model.compile(backend=engine)
        x = numpy.random.default_rng(0).standard_normal((batch, 224, 224, 3)).astype("float32")
        model.predict(x, batch_size=batch, verbose=0)
        start = time.perf_counter()
        for _ in range(steps):
            model.predict(x, batch_size=batch, verbose=0)
        return (time.perf_counter() - start) / steps


def _torch_resnet50(torch):
    try:
        import torchvision

        return torchvision.models.resnet50(weights=None)
    except Exception:  # torchvision is optional; the same network written out
        nn = torch.nn

        class Bottleneck(nn.Module):
            def __init__(self, inplanes, planes, stride):
                super().__init__()
                self.body = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, bias=False),
                    nn.BatchNorm2d(planes),
                    nn.ReLU(True),
                    nn.Conv2d(planes, planes, 3, stride, 1, bias=False),
                    nn.BatchNorm2d(planes),
                    nn.ReLU(True),
                    nn.Conv2d(planes, planes * 4, 1, bias=False),
                    nn.BatchNorm2d(planes * 4),
                )
                self.shortcut = (
                    nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))
                    if stride != 1 or inplanes != planes * 4
                    else nn.Identity()
                )

            def forward(self, x):
                return torch.relu(self.body(x) + self.shortcut(x))

        blocks, inplanes = [], 64
        for stage, count in enumerate((3, 4, 6, 3)):
            for index in range(count):
                blocks.append(Bottleneck(inplanes, 64 * 2**stage, 2 if stage and not index else 1))
                inplanes = 64 * 2**stage * 4
        return nn.Sequential(
            nn.Conv2d(3, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(True),
            nn.MaxPool2d(3, 2, 1),
            *blocks,
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(2048, 1000),
        )


def _torch(batch, steps, device):
    import torch

    target = "cuda" if device == "gpu" else "cpu"
    model = _torch_resnet50(torch).eval().to(target)
    x = torch.randn(batch, 3, 224, 224, device=target)
    with torch.no_grad():
        model(x)
        if target == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(steps):
            model(x)
        if target == "cuda":
            torch.cuda.synchronize()
        return (time.perf_counter() - start) / steps


def measure(which, batch, steps, device):
    seconds = _torch(batch, steps, device) if which == "torch" else _kerasish(which, batch, steps, device)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        return measure(arguments.measure, arguments.batch, arguments.steps, arguments.device)
    results = {}
    for which in ("torch", "dynamic", "static"):
        command = [
            sys.executable,
            __file__,
            "--measure",
            which,
            "--batch",
            str(arguments.batch),
            "--steps",
            str(arguments.steps),
            "--device",
            arguments.device,
        ]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{which}: failed\n{run.stderr[-2000:]}")
            continue
        results[which] = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"\nResNet50 inference, batch {arguments.batch}, 224x224, {arguments.device}")
    print(f"{'':10s} {'images/s':>10s} {'vs torch':>9s} {'peak MB':>9s}")
    torch_rate = arguments.batch / results["torch"]["seconds"] if "torch" in results else None
    for which, result in results.items():
        rate = arguments.batch / result["seconds"]
        ratio = f"{rate / torch_rate:8.2f}x" if torch_rate else "      n/a"
        print(f"{which:10s} {rate:10.2f} {ratio} {result['peak_mb']:9.0f}")


if __name__ == "__main__":
    main()
