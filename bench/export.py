"""ResNet50 inference at batch 8 (224x224, random weights): kerasish's static engine, the same model
exported to ONNX and run by onnxruntime, and torch, measured in one run.

Rounds interleave the three (one call each per round) so that a noisy machine slows all alike; the
table gives the median seconds per batch and the ratio to torch. It also counts the nodes of the
exported graph and of onnxruntime's graph after its own optimisation (fewer: a cleaner export).

    python bench/export.py [--batch 8] [--rounds 7] [--data-format channels_first]
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy

from applications import _torch_resnet50  # bench/applications.py: the same network in torch


def _timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--data-format", default=None, choices=[None, "channels_last", "channels_first"])
    arguments = parser.parse_args()

    import onnx
    import onnxruntime
    import torch

    import kerasish

    model = kerasish.applications.ResNet50(weights=None)
    model.compile(backend="static")
    x = numpy.random.default_rng(0).standard_normal((arguments.batch, 224, 224, 3)).astype("float32")
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "resnet50.onnx")
    model.export(
        path,
        verbose=False,
        data_format=arguments.data_format,
        input_signature=[kerasish.layers.InputSpec(shape=(None, 224, 224, 3))],
    )
    exported_nodes = len(onnx.load(path).graph.node)

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.optimized_model_filepath = os.path.join(directory, "optimised.onnx")
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    optimised_nodes = len(onnx.load(options.optimized_model_filepath).graph.node)
    feed_name = session.get_inputs()[0].name
    feed = numpy.ascontiguousarray(numpy.moveaxis(x, -1, 1)) if arguments.data_format == "channels_first" else x

    network = _torch_resnet50(torch).eval()
    images = torch.from_numpy(numpy.ascontiguousarray(numpy.moveaxis(x, -1, 1)))

    def run_torch():
        with torch.no_grad():
            network(images)

    runs = {
        "kerasish static": lambda: model.predict(x, batch_size=arguments.batch, verbose=0),
        "onnxruntime (exported)": lambda: session.run(None, {feed_name: feed}),
        "torch": run_torch,
    }
    want = model.predict(x, batch_size=arguments.batch, verbose=0)
    got = session.run(None, {feed_name: feed})[0]
    error = numpy.abs(got - want).max() / numpy.abs(want).max()
    for run in runs.values():  # warm-up
        run()
    seconds = {name: [] for name in runs}
    for _ in range(arguments.rounds):
        for name, run in runs.items():
            seconds[name].append(_timed(run))
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    print(
        f"ResNet50 inference, batch {arguments.batch}, {arguments.rounds} interleaved rounds, median "
        f"(torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, {os.cpu_count()} CPUs)"
    )
    print(f"{'':24s} {'s/batch':>9s} {'images/s':>9s} {'vs torch':>9s}")
    for name, value in medians.items():
        print(f"{name:24s} {value:9.3f} {arguments.batch / value:9.1f} {value / medians['torch']:8.2f}x")
    print(
        f"exported graph: {exported_nodes} nodes; after onnxruntime's optimisation: {optimised_nodes} nodes; "
        f"relative error against predict: {error:.2e}"
    )


if __name__ == "__main__":
    main()
