"""`ExportArchive` (Keras 3's API) and the function behind `Model.export`, for the ONNX format.

A model or a function becomes ONNX by way of the static engine: traced on placeholders whose batch axis
is None, weights frozen, the safe passes run, each primitive mapped (tracing.py, onnx_export.py). An
ONNX file holds one graph, so an archive with several endpoints is a directory with one
`<endpoint>.onnx` per endpoint. Every endpoint is traced and mapped before the first file is written.
"""

import os

from kerasish.backends import static

from . import onnx_export, tracing

FORMATS = ("onnx",)


def _specs(signature, owner):
    """(shape, dtype, name) per input from InputSpecs, KerasTensors or anything with shape and dtype."""
    if signature is None:
        raise ValueError(
            f"export: {owner} needs an `input_signature` (a list of `kerasish.InputSpec(shape=..., "
            f"dtype=...)`), since its input shapes are not known"
        )
    if not isinstance(signature, (list, tuple)):
        signature = [signature]
    specs = []
    for position, spec in enumerate(signature):
        shape = getattr(spec, "shape", None)
        if shape is None:
            raise ValueError(f"export: input_signature entry {position} ({spec!r}) has no shape")
        shape = tuple(None if d is None else int(d) for d in shape)
        name = getattr(spec, "name", None) or f"input_{position}"
        if None in shape[1:]:
            raise ValueError(
                f"export: input {position} ('{name}') of {owner} has shape {shape}: only the batch "
                f"axis may be unknown (None) in an export; pass `input_signature` with the other "
                f"sizes, e.g. [kerasish.layers.InputSpec(shape=(None, 224, 224, 3))]"
            )
        specs.append((shape, getattr(spec, "dtype", None) or "float32", str(name).split("/")[0].split(":")[0]))
    return specs


def _model_signature(model):
    inputs = getattr(model, "inputs", None)
    if inputs:
        return [_Spec((None, *tuple(t.shape)[1:]), t.dtype, _input_layer_name(t)) for t in inputs]
    return None


def _input_layer_name(tensor):
    """The name of the Input layer that made a model input (the ONNX input's name), else the tensor's."""
    layer = getattr(getattr(tensor, "node", None), "operation", None)
    return getattr(layer, "name", None) or getattr(tensor, "name", None)


class _Spec:
    def __init__(self, shape, dtype, name):
        self.shape, self.dtype, self.name = shape, dtype, name


def _output_names(model, count):
    names = getattr(model, "output_names", None)
    if names and len(names) == count:
        return list(names)
    return ["output_0"] if count == 1 else [f"output_{i}" for i in range(count)]


class ExportArchive:
    """Several inference endpoints of tracked models/layers, written as ONNX: `track(model)`,
    `add_endpoint(name, fn, input_signature)`, `write_out(directory, format="onnx")`."""

    def __init__(self):
        self._tracked = []
        self._endpoints = {}

    def track(self, resource):
        if not hasattr(resource, "weights"):
            raise ValueError(f"ExportArchive.track: expected a layer or model, received {resource!r}")
        self._tracked.append(resource)
        return resource

    def add_endpoint(self, name, fn=None, input_signature=None, **kwargs):
        if kwargs:
            raise ValueError(f"ExportArchive.add_endpoint: unrecognized arguments {sorted(kwargs)}")
        if not isinstance(name, str) or not name or os.sep in name or name in (".", ".."):
            raise ValueError(
                f"ExportArchive.add_endpoint: `name` must be a file-safe non-empty string, received {name!r}"
            )
        if name in self._endpoints:
            raise ValueError(f"ExportArchive.add_endpoint: endpoint '{name}' is already in use")
        if fn is None:
            if not self._tracked:
                raise ValueError("ExportArchive.add_endpoint: pass `fn`, or track a model first")
            fn = self._tracked[-1]
        if not callable(fn) and not isinstance(fn, static.Function):
            raise ValueError(f"ExportArchive.add_endpoint: `fn` must be callable, received {fn!r}")
        if isinstance(fn, static.Function):
            specs = None
        else:
            specs = _specs(
                input_signature if input_signature is not None else _model_signature(fn), f"endpoint '{name}'"
            )
        self._endpoints[name] = (fn, specs)
        return fn

    def _model(self, name, opset_version, data_format):
        fn, specs = self._endpoints[name]
        if isinstance(fn, static.Function):
            traced = tracing.optimise(fn.inputs, fn.outputs)
            input_names = [p.name for p in fn.inputs]
            output_names = ["output_0"] if len(fn.outputs) == 1 else [f"output_{i}" for i in range(len(fn.outputs))]
        else:
            traced = tracing.trace(_inference_call(fn), specs, name)
            input_names = [spec[2] for spec in specs]
            output_names = _output_names(fn, len(traced.outputs))
        return onnx_export.to_onnx(traced, input_names, output_names, opset_version, data_format, name)

    def write_out(self, filepath, format="onnx", verbose=True, opset_version=18, data_format=None):
        """One `<endpoint>.onnx` per endpoint in the directory `filepath`; all are mapped first."""
        check_format(format)
        if not self._endpoints:
            raise ValueError("ExportArchive.write_out: no endpoints; call `add_endpoint` first")
        models = {name: self._model(name, opset_version, data_format) for name in self._endpoints}
        os.makedirs(filepath, exist_ok=True)
        for name, model in models.items():
            onnx_export.write(model, os.path.join(filepath, f"{name}.onnx"))
        if verbose:
            print(f"Saved artifact at '{filepath}': {', '.join(f'{n}.onnx' for n in models)}")


def _inference_call(fn):
    """fn on the traced inputs: a layer or model called once with them (a list when there are several),
    training=False; any other function with one argument per input."""
    if not hasattr(fn, "weights"):
        return fn

    def call(*inputs):
        return fn(inputs[0] if len(inputs) == 1 else list(inputs), training=False)

    return call


def check_format(format):
    if format not in FORMATS:
        raise ValueError(f"Unrecognized format={format!r}. Supported formats are: {list(FORMATS)}.")


def export_model(
    model, filepath, format="onnx", verbose=True, input_signature=None, opset_version=18, data_format=None
):
    """What `Model.export` does: the model's inference call (training=False) as one ONNX file."""
    check_format(format)
    specs = _specs(
        input_signature if input_signature is not None else _model_signature(model),
        f"model '{getattr(model, 'name', model)}'",
    )
    traced = tracing.trace(_inference_call(model), specs, getattr(model, "name", "model"))
    proto = onnx_export.to_onnx(
        traced,
        [spec[2] for spec in specs],
        _output_names(model, len(traced.outputs)),
        opset_version,
        data_format,
        getattr(model, "name", "model"),
    )
    onnx_export.write(proto, filepath)
    if verbose:
        print(f"Saved artifact at '{filepath}'.")


def export_function(function, filepath, verbose=True, opset_version=18, data_format=None):
    """A function built by hand on the static engine (`kerasish.backends.static.function`) as ONNX."""
    if not isinstance(function, static.Function):
        raise TypeError(f"export_function: expected a kerasish.backends.static.Function, received {function!r}")
    archive = ExportArchive()
    archive.add_endpoint(function.name, function)
    proto = archive._model(function.name, opset_version, data_format)
    onnx_export.write(proto, filepath)
    if verbose:
        print(f"Saved artifact at '{filepath}'.")
