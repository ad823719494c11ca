"""Run on the strict stand-in (see test_host_transfers.py): prints, as JSON, the host transfers that `fit` makes
on each engine and verbosity, for 2 and 6 steps per epoch, so the per-step and per-epoch counts can be told apart."""

import json

import numpy

import kerasish
from kerasish import layers
from tests.gpu_standin import strict_cupy


def transfers(engine, verbose, steps):
    kerasish.utils.set_random_seed(0)
    model = kerasish.Sequential([layers.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(3)])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"], backend=engine)
    x = numpy.random.default_rng(0).random((8 * steps, 8), dtype="float32")
    y = numpy.eye(3, dtype="float32")[numpy.arange(8 * steps) % 3]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # the first call traces and builds: not counted
    strict_cupy.reset_transfers()
    model.fit(x, y, epochs=2, batch_size=8, verbose=verbose)
    return strict_cupy.TRANSFERS["to_host"]


print(
    json.dumps(
        {
            f"{engine}/{verbose}/{steps}": transfers(engine, verbose, steps)
            for engine in ("dynamic", "static")
            for verbose in (0, 1)
            for steps in (2, 6)
        }
    )
)
