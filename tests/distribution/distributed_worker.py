"""One process of a distributed test job, started by test_data_parallel.py (`mpiexec -n N python
distributed_worker.py SCENARIO OUT [options]`), or alone with --single for the single-process reference.

Every process seeds its initial weights with its own rank, so results equal to the reference show that
rank 0's weights were broadcast. Rank 0 (or the single process) writes the results to OUT/result.npz.
"""

import argparse
import json
import os
import sys

import numpy

parser = argparse.ArgumentParser()
parser.add_argument("scenario")
parser.add_argument("out")
parser.add_argument("--single", action="store_true")
parser.add_argument("--engine", default="dynamic")
parser.add_argument("--floatx", default="float64")
parser.add_argument("--samples", type=int, default=48)
parser.add_argument("--batch-size", type=int, default=12)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--shuffle", action="store_true")
parser.add_argument("--fail-rank", type=int, default=-1)
arguments = parser.parse_args()

import kerasish  # noqa: E402
from kerasish import distribution, layers, ops  # noqa: E402

kerasish.backend.set_floatx(arguments.floatx)
if not arguments.single:
    distribution.set_distribution(distribution.DataParallel())
rank = distribution.process_id()
kerasish.utils.set_random_seed(100 + rank)
os.makedirs(os.path.join(arguments.out, f"rank{rank}"), exist_ok=True)

data = numpy.random.default_rng(7)
POOL = 64  # the first `--samples` of the same 64 samples, whatever their number
x = data.normal(size=(POOL, 6)).astype(arguments.floatx)
y = (x @ data.normal(size=(6, 3)) + 0.1 * data.normal(size=(POOL, 3))).astype(arguments.floatx)
x, y = x[: arguments.samples], y[: arguments.samples]
results = {}


def dense_model(units=8):
    return kerasish.Sequential([kerasish.Input((6,)), layers.Dense(units, activation="tanh"), layers.Dense(3)])


class FailOnPurpose(kerasish.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch and rank == arguments.fail_rank:
            raise RuntimeError(f"process {rank} fails on purpose at epoch {epoch}")


def compile_model(model, metrics=("mae",)):
    model.compile(optimizer=kerasish.optimizers.Adam(0.01), loss="mse", metrics=list(metrics), backend=arguments.engine)
    return model


if arguments.scenario == "fit":
    model = compile_model(dense_model())
    history = model.fit(
        x, y, batch_size=arguments.batch_size, epochs=arguments.epochs, shuffle=arguments.shuffle, verbose=0
    )
    results["loss"] = numpy.asarray(history.history["loss"])
    results["mae"] = numpy.asarray(history.history["mae"])
    results["evaluate"] = numpy.asarray(model.evaluate(x, y, batch_size=12, verbose=0))
    results["predict"] = model.predict(x, batch_size=12, verbose=0)
elif arguments.scenario == "batch_norm":
    model = kerasish.Sequential(
        [kerasish.Input((6,)), layers.Dense(8), layers.BatchNormalization(synchronized=True), layers.Dense(3)]
    )
    compile_model(model).fit(x, y, batch_size=arguments.batch_size, epochs=arguments.epochs, shuffle=False, verbose=0)
elif arguments.scenario == "dataset":
    loaded = []

    class Batches(kerasish.utils.PyDataset):
        def __len__(self):
            return arguments.samples // arguments.batch_size

        def __getitem__(self, index):
            loaded.append(index)
            part = slice(index * arguments.batch_size, (index + 1) * arguments.batch_size)
            return x[part], y[part]

    model = compile_model(dense_model())
    history = model.fit(Batches(), epochs=arguments.epochs, shuffle=False, verbose=0)
    results["loss"] = numpy.asarray(history.history["loss"])
    with open(os.path.join(arguments.out, f"rank{rank}", "loaded.json"), "w") as file:
        json.dump(loaded, file)
elif arguments.scenario == "loader":
    samples = [(x[index], y[index]) for index in range(arguments.samples)]
    loader = kerasish.data.DataLoader(samples, batch_size=arguments.batch_size)
    model = compile_model(dense_model())
    history = model.fit(loader, epochs=arguments.epochs, verbose=0)
    results["loss"] = numpy.asarray(history.history["loss"])
elif arguments.scenario == "checkpoints":
    os.chdir(os.path.join(arguments.out, f"rank{rank}"))
    model = compile_model(dense_model())
    model.fit(
        x,
        y,
        batch_size=arguments.batch_size,
        epochs=arguments.epochs,
        shuffle=False,
        verbose=2,
        callbacks=[
            kerasish.callbacks.ModelCheckpoint("checkpoints/epoch{epoch}.weights.h5", save_weights_only=True),
            kerasish.callbacks.CSVLogger("log.csv"),
        ],
    )
elif arguments.scenario == "resume":
    model = compile_model(dense_model())
    model.fit(
        x,
        y,
        batch_size=arguments.batch_size,
        epochs=arguments.epochs,
        shuffle=False,
        verbose=0,
        callbacks=[kerasish.callbacks.BackupAndRestore(os.path.join(arguments.out, "backup")), FailOnPurpose(epoch=2)],
    )
elif arguments.scenario == "fail":
    model = compile_model(dense_model())
    model.fit(x, y, batch_size=arguments.batch_size, epochs=arguments.epochs, verbose=0, callbacks=[FailOnPurpose(1)])
elif arguments.scenario == "mismatch":
    compile_model(dense_model(units=8 + rank)).fit(x, y, batch_size=arguments.batch_size, epochs=1, verbose=0)
elif arguments.scenario == "custom_loop":
    model = dense_model()
    optimizer = kerasish.optimizers.SGD(0.05)
    if not arguments.single:
        distribution.set_distribution(None)
        distribution.initialize()
        distribution.broadcast_variables(model.variables)
        optimizer = distribution.DistributedOptimizer(optimizer)
    size, me = distribution.num_processes(), distribution.process_id()

    def train_step(inputs, targets):
        with kerasish.GradientTape() as tape:
            loss = ops.mean(ops.square(model(inputs) - targets))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    if arguments.engine == "static":
        train_step = kerasish.function(train_step)
    for step in range(arguments.samples // arguments.batch_size):
        batch = slice(step * arguments.batch_size, (step + 1) * arguments.batch_size)
        local = numpy.array_split(numpy.arange(arguments.samples)[batch], size)[me]
        loss = train_step(x[local], y[local])
    results["mean_loss"] = (
        numpy.asarray(distribution.allreduce(loss, op="mean")) if not arguments.single else numpy.asarray(loss)
    )
else:
    sys.exit(f"unknown scenario {arguments.scenario!r}")

if rank == 0 and arguments.scenario not in ("fail", "mismatch"):
    for index, weight in enumerate(model.get_weights()):
        results[f"weight{index}"] = weight
    numpy.savez(os.path.join(arguments.out, "result.npz"), **results)
    with open(os.path.join(arguments.out, "done.json"), "w") as file:
        json.dump({"processes": distribution.num_processes()}, file)
