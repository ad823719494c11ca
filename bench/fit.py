"""`model.fit` throughput on both engines against torch CPU running the same model in the same run.

    python bench/fit.py [--batches N] [--repeats R] [--models mlp,cnn,tiny]

  mlp   Dense 784-512-512-10 (relu), batch 128, sparse categorical cross-entropy from logits, SGD
  cnn   two blocks of Conv2D 3x3 (32, 64 filters, relu) + MaxPooling2D 2x2, then Dense 10; batch 64
  tiny  Dense 4->1 on batches of 8: almost all of a step is framework overhead. Its extra rows
        `step-dyn`/`step-sta` call the engine's train function directly on one prepared batch, so
        the difference to the fit row is the trainer's own per-step cost (data slicing, callbacks);
        `batch-dyn`/`batch-sta` call `train_on_batch` once a batch, as a custom loop does (each
        call prepares anew: the batch, the model's variables, loss sources and metrics).

Each kerasish row is `model.fit(..., epochs=1, shuffle=False, verbose=0)` on N batches after a
warm-up epoch (which includes the static engine's one-time trace); torch runs the same loop
(forward, loss, backward, SGD step) over the same arrays, from the same initial weights. The
runners take turns within each of R repeats (the machine's load hits them alike); figures are
the best of the R.
Columns: samples per second (for tiny: microseconds per step) and the ratio to torch (>1: faster).
"""

import argparse
import time

import numpy

import kerasish
from kerasish import layers
from kerasish.backends import interface
from kerasish.backends.dynamic import Tensor

try:
    import torch
except ImportError:
    torch = None

RATE = 0.01
SPECS = {
    "mlp": {"input": (784,), "batch": 128},
    "cnn": {"input": (28, 28, 1), "batch": 64},
    "tiny": {"input": (4,), "batch": 8},
}


def kerasish_model(name):
    inputs = kerasish.Input(SPECS[name]["input"])
    if name == "mlp":
        x = layers.Dense(512, activation="relu")(inputs)
        x = layers.Dense(512, activation="relu")(x)
        outputs = layers.Dense(10)(x)
    elif name == "cnn":
        x = layers.Conv2D(32, 3, activation="relu")(inputs)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(64, 3, activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
        outputs = layers.Dense(10)(layers.Flatten()(x))
    else:
        outputs = layers.Dense(1)(inputs)
    return kerasish.Model(inputs, outputs)


def torch_model(name, model):
    """The same architecture in torch, starting from the kerasish model's weights (HWIO -> OIHW)."""
    nn = torch.nn
    if name == "mlp":
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    elif name == "cnn":
        net = nn.Sequential(
            nn.Conv2d(1, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 5 * 5, 10),
        )
    else:
        net = nn.Sequential(nn.Linear(4, 1))
    with torch.no_grad():
        weights = iter(model.get_weights())
        for module in net:
            if isinstance(module, nn.Linear):
                module.weight.copy_(torch.from_numpy(next(weights).T.copy()))
                module.bias.copy_(torch.from_numpy(next(weights)))
            elif isinstance(module, nn.Conv2d):
                module.weight.copy_(torch.from_numpy(next(weights).transpose(3, 2, 0, 1).copy()))
                module.bias.copy_(torch.from_numpy(next(weights)))
    return net


def data(name, batches):
    rng = numpy.random.default_rng(0)
    count = SPECS[name]["batch"] * batches
    x = rng.standard_normal((count,) + SPECS[name]["input"]).astype("float32")
    if name == "tiny":
        return x, rng.standard_normal((count, 1)).astype("float32")
    return x, rng.integers(0, 10, count)


def kerasish_epoch(name, engine, x, y):
    """A compiled model (warmed up: the static engine has traced) and one fit epoch as a callable."""
    model = kerasish_model(name)
    loss = "mse" if name == "tiny" else kerasish.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=kerasish.optimizers.SGD(RATE), loss=loss, backend=engine)
    batch = SPECS[name]["batch"]

    def epoch():
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)

    epoch()
    return model, epoch


def step_only(engine, model, x, y, batches):
    """The engine's train function alone, `batches` times on one batch already on the device."""
    step = interface.get(engine).make_train_function(model)
    batch = (Tensor(x[: SPECS["tiny"]["batch"]]), Tensor(y[: SPECS["tiny"]["batch"]]), None)

    def epoch():
        for _ in range(batches):
            step(batch)

    epoch()
    return epoch


def on_batch(model, x, y, batches):
    """`model.train_on_batch` on each of the `batches` batches in turn."""
    batch = SPECS["tiny"]["batch"]

    def epoch():
        for start in range(0, batches * batch, batch):
            model.train_on_batch(x[start : start + batch], y[start : start + batch])

    epoch()
    return epoch


def torch_epoch(name, model, x, y):
    net = torch_model(name, model)
    if name == "cnn":
        x = x.transpose(0, 3, 1, 2).copy()
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    loss_function = torch.nn.MSELoss() if name == "tiny" else torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=RATE)
    batch = SPECS[name]["batch"]

    def epoch():
        for start in range(0, len(inputs), batch):
            optimizer.zero_grad()
            loss = loss_function(net(inputs[start : start + batch]), targets[start : start + batch])
            loss.backward()
            optimizer.step()

    epoch()
    return epoch


def runners(name, x, y, batches):
    found = {}
    for engine in ("dynamic", "static"):
        model, found[f"kerasish-{engine[:3]}"] = kerasish_epoch(name, engine, x, y)
        if name == "tiny":
            found[f"step-{engine[:3]}"] = step_only(engine, model, x, y, batches)
            found[f"batch-{engine[:3]}"] = on_batch(model, x, y, batches)
    if torch is not None:
        found["torch"] = torch_epoch(name, model, x, y)
    return found


def best_times(epochs, repeats):
    """Best of `repeats` per runner; the runners take turns so that load changes hit them all."""
    best = dict.fromkeys(epochs, float("inf"))
    for _ in range(repeats):
        for runner, epoch in epochs.items():
            start = time.perf_counter()
            epoch()
            best[runner] = min(best[runner], time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default="mlp,cnn,tiny")
    arguments = parser.parse_args()
    print(f"{'model':6} {'runner':12} {'samples/s':>10} {'us/step':>10} {'vs torch':>9}")
    for name in arguments.models.split(","):
        batches = arguments.batches * (20 if name == "tiny" else 1)
        x, y = data(name, batches)
        rows = best_times(runners(name, x, y, batches), arguments.repeats)
        for runner, seconds in rows.items():
            ratio = f"{rows['torch'] / seconds:9.2f}" if "torch" in rows else "      n/a"
            print(f"{name:6} {runner:12} {len(x) / seconds:10.0f} {seconds / batches * 1e6:10.0f} {ratio}")


if __name__ == "__main__":
    main()
