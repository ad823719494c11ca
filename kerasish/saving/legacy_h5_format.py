"""The legacy Keras HDF5 weights layout (keras.applications files, `model.save("m.h5")`).

Layout: the root (or its `model_weights` group) carries `layer_names`; each layer group carries
`weight_names`, the dataset paths of its weights in order. Names differ by era (Keras 1 flat
`L_W_1:0`, Keras 2 nested `L/L/kernel:0`, Keras 3 without `:0`), so weights are always read through
`weight_names`, never by guessed names. Long name lists are chunked as `layer_names0`, `layer_names1`...
Old files hold fixed-length byte strings, newer ones str: both are decoded.
"""
import collections
import json

import h5py
import numpy

from kerasish.saving.read_errors import UnreadableFileError, reading


KERAS_VERSION = "3.16.0"  # the Keras release whose file formats kerasish writes
TOP_LEVEL, OPTIMIZER = "top_level_model_weights", "optimizer_weights"


class LegacyH5Error(UnreadableFileError):
    """An HDF5 file that does not hold Keras weights in the legacy layout."""


def _text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def attribute_list(group, name):
    if name in group.attrs:
        return [_text(x) for x in group.attrs[name]]
    values, chunk = [], 0
    while f"{name}{chunk}" in group.attrs:
        values += [_text(x) for x in group.attrs[f"{name}{chunk}"]]
        chunk += 1
    return values


def weights_group(file):
    if "layer_names" in file.attrs or "layer_names0" in file.attrs:
        return file
    if "model_weights" in file:
        return file["model_weights"]
    raise LegacyH5Error(f"{file.filename}: no 'layer_names' attribute and no 'model_weights' group: "
                        "not a Keras legacy .h5 weights file")


def read_layer_weights(path):
    """{layer_name: [arrays in weight_names order]} for every layer with weights, in file (topological) order."""
    with reading(path, "Keras .h5 file"), h5py.File(path, "r") as file:
        return _read_layers(weights_group(file), path)


def _read_group_weights(group, path, label):
    names = attribute_list(group, "weight_names")
    missing = [name for name in names if name not in group]
    if missing:
        raise LegacyH5Error(f"{path}: {label}: weight_names lists {missing}, which the file lacks")
    return [numpy.asarray(group[name]) for name in names]


def _read_layers(root, path):
    layers = collections.OrderedDict()
    for layer_name in attribute_list(root, "layer_names"):
        if layer_name not in root:
            raise LegacyH5Error(f"{path}: layer {layer_name!r} is listed in layer_names but has no group")
        arrays = _read_group_weights(root[layer_name], path, f"layer {layer_name!r}")
        if arrays:
            layers[layer_name] = arrays
    return layers


def _read_top_level(root, path):
    """The model's own weights (`top_level_model_weights`), None for files from before that group."""
    return _read_group_weights(root[TOP_LEVEL], path, TOP_LEVEL) if TOP_LEVEL in root else None


def _read_json(file, key, path):
    if key not in file.attrs:
        return None
    try:
        return json.loads(_text(file.attrs[key]))
    except ValueError as error:
        raise LegacyH5Error(f"{path}: attribute {key!r} is not valid JSON ({error})") from error


def read_weights_file(path):
    """(layers as read_layer_weights gives them, the top-level weights or None)."""
    with reading(path, "Keras .h5 file"), h5py.File(path, "r") as file:
        root = weights_group(file)
        return _read_layers(root, path), _read_top_level(root, path)


def read_model_file(path):
    """The parts of a `model.save("m.h5")` file: model_config and training_config (parsed JSON, None
    when absent), the layers' and top-level weights, and the optimizer's arrays in order."""
    with reading(path, "Keras .h5 file"), h5py.File(path, "r") as file:
        if "model_config" not in file.attrs:
            raise LegacyH5Error(f"No model config found in the file at {path}: a weights-only .h5 file "
                                "loads with model.load_weights(), not load_model()")
        root = weights_group(file)
        return {"model_config": _read_json(file, "model_config", path),
                "training_config": _read_json(file, "training_config", path),
                "layers": _read_layers(root, path), "top_level": _read_top_level(root, path),
                "optimizer": _read_group_weights(file[OPTIMIZER], path, OPTIMIZER) if OPTIMIZER in file else []}


def write_layer_weights(group, layers, keras_version=KERAS_VERSION, backend="kerasish"):
    """Write [(layer_name, [(weight_name, array), ...]), ...] in the layout Keras's load_weights reads.

    Dataset paths are `layer_name/weight_name` inside the layer group, named as Keras 3's legacy
    writer does (`dense/kernel`, no `:0`); every layer gets a group, weightless ones too.
    """
    save_attribute_list(group, "layer_names", [name for name, _ in layers])
    group.attrs["backend"] = backend.encode("utf8")
    group.attrs["keras_version"] = keras_version.encode("utf8")
    for layer_name, weights in layers:
        write_weight_group(group.create_group(layer_name),
                           [(f"{layer_name}/{weight_name}", array) for weight_name, array in weights])


def write_weight_group(group, weights):
    """`weight_names` plus one dataset per [(dataset path, array)] (a '/' in the path nests groups)."""
    save_attribute_list(group, "weight_names", [name for name, _ in weights])
    for name, array in weights:
        group.create_dataset(name, data=numpy.asarray(array))


HDF5_ATTRIBUTE_LIMIT = 64512


def save_attribute_list(group, name, values):
    """Store a list of strings as one attribute, or as name0, name1, ... when HDF5's 64 KB limit needs it."""
    data = numpy.array([v.encode("utf8") for v in values], dtype="S") if values else numpy.array([], dtype="S1")
    chunks = 1
    while data.nbytes / chunks > HDF5_ATTRIBUTE_LIMIT:
        chunks += 1
    if chunks == 1:
        group.attrs[name] = data
        return
    for index, part in enumerate(numpy.array_split(data, chunks)):
        group.attrs[f"{name}{index}"] = part
