"""The subcommands: train, evaluate, predict, export, summary. Each takes a loaded Config.

A run lives in the solver's `snapshot_prefix` directory: `resolved_config.json` (the configuration with
every default and override, enough to reproduce the run), `checkpoints/` (Snapshot's commits) and,
once training ends, `model.keras`.
"""

import math
import os

import numpy

from kerasish.backends.io.atomic_file import atomic_path, write_text_atomically
from kerasish.cli import data as data_section
from kerasish.cli import model as model_section
from kerasish.cli.snapshot import Snapshot
from kerasish.models import load_model
from kerasish.utils.random_seed import set_random_seed

RESOLVED_CONFIG = "resolved_config.json"
CHECKPOINTS = "checkpoints"
MODEL_FILE = "model.keras"


def iterations(config, iterations_per_pass):
    """Caffe's max_iter, or epochs (passes over the training data) in iterations."""
    solver = config.solver
    if (solver["max_iter"] is None) == (solver["epochs"] is None):
        raise config.error("solver.max_iter", "give solver.max_iter (iterations) or solver.epochs, exactly one")
    key = "max_iter" if solver["max_iter"] is not None else "epochs"
    if solver[key] < 1:
        raise config.error(f"solver.{key}", f"must be positive, received {solver[key]}")
    return solver["max_iter"] or solver["epochs"] * iterations_per_pass


def chunk_length(config, max_iter, iterations_per_pass):
    """The iterations of one `fit` epoch: a divisor of max_iter, test_interval and snapshot (so validation
    and checkpoints fall on chunk ends); a pass over the data when neither is set."""
    intervals = [config.solver[key] for key in ("test_interval", "snapshot") if config.solver[key] is not None]
    for key in ("test_interval", "snapshot"):
        if config.solver[key] is not None and config.solver[key] < 1:
            raise config.error(
                f"solver.{key}", f"must be a positive number of iterations, received {config.solver[key]}"
            )
    length = max_iter
    for interval in intervals or [iterations_per_pass]:
        length = math.gcd(length, interval)
    return length


def train(config):
    solver = config.solver
    if solver["batch_size"] < 1:
        raise config.error("solver.batch_size", f"must be positive, received {solver['batch_size']}")
    set_random_seed(solver["random_seed"])
    data = data_section.load(config, solver["batch_size"])
    per_pass = data_section.iterations_per_pass(data.train, solver["batch_size"])
    max_iter = iterations(config, per_pass)
    chunk = chunk_length(config, max_iter, per_pass)
    stream = data_section.BatchStream(
        data.train, solver["batch_size"], max_iter, config.data["shuffle"], solver["random_seed"]
    )
    validation = data.validation if data.validation is not None else data.test
    test_interval = solver["test_interval"]
    if test_interval and validation is None:
        raise config.error(
            "solver.test_interval", "nothing to validate on: set data.validation_split or give test data"
        )
    run = config.run_directory
    _check_earlier_run(config, run)
    model = model_section.build(config, data.sample_shape)
    model_section.compile_model(model, config, max_iter)
    os.makedirs(run, exist_ok=True)
    write_text_atomically(os.path.join(run, RESOLVED_CONFIG), config.to_json())

    snapshot = Snapshot(
        os.path.join(run, CHECKPOINTS),
        stream,
        chunk,
        solver["snapshot"] // chunk if solver["snapshot"] else None,
        max_iter // chunk,
        solver["random_seed"],
    )
    model.fit(
        stream,
        epochs=max_iter // chunk,
        steps_per_epoch=chunk,
        shuffle=False,
        verbose=solver["verbose"],
        callbacks=[snapshot],
        validation_data=validation if test_interval else None,
        validation_freq=test_interval // chunk if test_interval else 1,
    )
    model.save(os.path.join(run, MODEL_FILE))
    print(f"kerasish train: {max_iter} iterations done; model saved to {os.path.join(run, MODEL_FILE)}")
    if data.test is not None:
        _print_metrics("test", model.evaluate(*data.test, batch_size=solver["batch_size"], verbose=0, return_dict=True))
    return model


def _check_earlier_run(config, run):
    """A run directory holds one run: resuming needs the same resolved configuration, and a run with
    resume = false never replaces an earlier run's checkpoints."""
    record = os.path.join(run, RESOLVED_CONFIG)
    if not os.path.exists(record):
        return
    with open(record, encoding="utf-8") as file:
        earlier = file.read()
    if not config.solver["resume"]:
        raise config.error(
            "solver.resume",
            f"{run} already holds a run; resume it (solver.resume = true), or "
            "choose another solver.snapshot_prefix, or remove that directory",
        )
    if earlier != config.to_json():
        raise config.error(
            "solver.snapshot_prefix",
            f"{run} holds a run of a different configuration ({record}); choose another solver.snapshot_prefix",
        )


def trained_model(config, path=None):
    path = path or os.path.join(config.run_directory, MODEL_FILE)
    if not os.path.isfile(path):
        raise config.error(
            "solver.snapshot_prefix",
            f"no trained model at {path}; run `kerasish train {config.path}` first (or pass --model)",
        )
    return load_model(path, compile=False)


def evaluate(config, model_path=None):
    data = data_section.load(config, config.solver["batch_size"])
    if data.test is None:
        raise config.error("data.test", "nothing to evaluate on: the data have no test set")
    model = trained_model(config, model_path)
    model_section.compile_model(model, config, max_iter=1)  # for the loss and metrics; nothing is trained
    results = model.evaluate(*data.test, batch_size=config.solver["batch_size"], verbose=0, return_dict=True)
    _print_metrics("test", results)
    return results


def predict(config, input_path=None, output_path=None, model_path=None):
    if input_path is None:
        data = data_section.load(config, config.solver["batch_size"])
        if data.test is None:
            raise config.error("data.test", "nothing to predict: give --input or a test set")
        x = data.test[0]
    else:
        x = _input_array(config, input_path)
    model = trained_model(config, model_path)
    predictions = model.predict(x, batch_size=config.solver["batch_size"], verbose=0)
    output_path = output_path or os.path.join(config.run_directory, "predictions.npy")
    with atomic_path(output_path) as temporary:
        with open(temporary, "wb") as file:
            numpy.save(file, numpy.asarray(predictions))
    print(f"kerasish predict: {len(x)} predictions of shape {tuple(predictions.shape[1:])} written to {output_path}")
    return output_path


def _input_array(config, path):
    if not os.path.isfile(path):
        raise config.error("--input", f"no such file: {path}")
    if path.lower().endswith(".npy"):
        x = numpy.load(path, allow_pickle=False)
    elif path.lower().endswith(".npz"):
        (x,) = data_section.npz_arrays(config, path, [(config.data["x"], "data.x")])
    else:
        raise config.error("--input", f"{path}: inputs are a .npy or .npz file")
    return data_section.transform(config, (x, numpy.zeros(len(x))))[0]


def export(config, output_path=None, opset_version=None, model_path=None):
    model = trained_model(config, model_path)
    output_path = output_path or os.path.join(config.run_directory, "model.onnx")
    options = {} if opset_version is None else {"opset_version": opset_version}
    try:
        model.export(output_path, format="onnx", **options)
    except (ImportError, ValueError) as error:  # no onnx package; an op without an ONNX mapping
        raise config.error("export", str(error)) from error
    print(f"kerasish export: {output_path}")
    return output_path


def summary(config):
    sample_shape = config.model["input_shape"]
    if sample_shape is None and config.model["file"] is None:
        sample_shape = data_section.load(config, config.solver["batch_size"]).sample_shape
    model = model_section.build(config, sample_shape or ())
    model.summary()
    return model


def _print_metrics(kind, results):
    print(f"{kind}: " + ", ".join(f"{name} = {float(value):.4f}" for name, value in results.items()))
