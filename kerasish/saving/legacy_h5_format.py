"""The legacy Keras HDF5 weights layout (keras.applications files, `model.save("m.h5")`).

Layout: the root (or its `model_weights` group) carries `layer_names`; each layer group carries
`weight_names`, the dataset paths of its weights in order. Names differ by era (Keras 1 flat
`L_W_1:0`, Keras 2 nested `L/L/kernel:0`, Keras 3 without `:0`), so weights are always read through
`weight_names`, never by guessed names. Long name lists are chunked as `layer_names0`, `layer_names1`...
Old files hold fixed-length byte strings, newer ones str: both are decoded.

Files are read through `backends/io/hdf5` (no external storage or links, shapes known before data
is read): the readers give datasets, and the loaders read only those whose shapes match the model.
"""

import collections
import json

import numpy

from kerasish.backends.io import hdf5
from kerasish.backends.io.read_errors import UnreadableFileError

KERAS_VERSION = "3.16.0"  # the Keras release whose file formats kerasish writes
TOP_LEVEL, OPTIMIZER = "top_level_model_weights", "optimizer_weights"
KIND = "Keras .h5 file"


class LegacyH5Error(UnreadableFileError):
    """An HDF5 file that does not hold Keras weights in the legacy layout."""


def _text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def attribute_list(group, name):
    if name in group.attrs:
        return [_text(x) for x in numpy.atleast_1d(group.attrs[name])]
    values, chunk = [], 0
    while f"{name}{chunk}" in group.attrs:
        values += [_text(x) for x in numpy.atleast_1d(group.attrs[f"{name}{chunk}"])]
        chunk += 1
    return values


def weights_group(root):
    if "layer_names" in root.attrs or "layer_names0" in root.attrs:
        return root
    if root.is_group("model_weights"):
        return root.group("model_weights")
    raise LegacyH5Error(
        f"{root.file.name}: no 'layer_names' attribute and no 'model_weights' group: "
        "not a Keras legacy .h5 weights file"
    )


def open_file(path):
    """The root group of a legacy `.h5` file (backends/io/hdf5), open while the block runs."""
    return hdf5.open_file(path, kind=KIND)


def read_layer_weights(path, max_bytes=None):
    """{layer_name: [arrays in weight_names order]} for every layer with weights, in file (topological)
    order. `max_bytes`: the most bytes all arrays together may hold (the caller's model size); the
    shapes are checked against it before anything is read."""
    with open_file(path) as root:
        layers = layer_datasets(weights_group(root))
        total = sum(dataset.nbytes for datasets in layers.values() for dataset in datasets)
        if max_bytes is not None and total > max_bytes:
            raise LegacyH5Error(
                f"{path}: its weights declare {total} bytes, more than the {max_bytes} bytes "
                "the model can hold; nothing was read"
            )
        return collections.OrderedDict(
            (name, [dataset.read() for dataset in datasets]) for name, datasets in layers.items()
        )


def group_datasets(group, label):
    names = attribute_list(group, "weight_names")
    missing = [name for name in names if not group.has(name)]
    if missing:
        raise LegacyH5Error(f"{group.file.name}: {label}: weight_names lists {missing}, which the file lacks")
    return [group.dataset(name) for name in names]


def layer_datasets(root):
    """{layer_name: [Dataset in weight_names order]} for every layer with weights, in file order."""
    layers = collections.OrderedDict()
    for layer_name in attribute_list(root, "layer_names"):
        if not root.is_group(layer_name):
            raise LegacyH5Error(f"{root.file.name}: layer {layer_name!r} is listed in layer_names but has no group")
        datasets = group_datasets(root.group(layer_name), f"layer {layer_name!r}")
        if datasets:
            layers[layer_name] = datasets
    return layers


def top_level_datasets(root):
    """The model's own weights (`top_level_model_weights`), None for files from before that group."""
    return group_datasets(root.group(TOP_LEVEL), TOP_LEVEL) if root.is_group(TOP_LEVEL) else None


def read_json(root, key):
    if key not in root.attrs:
        return None
    try:
        return json.loads(_text(root.attrs[key]))
    except (ValueError, RecursionError) as error:
        raise LegacyH5Error(f"{root.file.name}: attribute {key!r} is not valid JSON ({error})") from error


def model_config(root):
    """The parsed `model_config` of a `model.save("m.h5")` file."""
    if "model_config" not in root.attrs:
        raise LegacyH5Error(
            f"No model config found in the file at {root.file.name}: a weights-only .h5 file "
            "loads with model.load_weights(), not load_model()"
        )
    return read_json(root, "model_config")


def optimizer_datasets(root):
    return group_datasets(root.group(OPTIMIZER), OPTIMIZER) if root.is_group(OPTIMIZER) else []


def write_layer_weights(group, layers, keras_version=KERAS_VERSION, backend="kerasish"):
    """Write [(layer_name, [(weight_name, array), ...]), ...] in the layout Keras's load_weights reads.

    Dataset paths are `layer_name/weight_name` inside the layer group, named as Keras 3's legacy
    writer does (`dense/kernel`, no `:0`); every layer gets a group, weightless ones too.
    """
    save_attribute_list(group, "layer_names", [name for name, _ in layers])
    group.attrs["backend"] = backend.encode("utf8")
    group.attrs["keras_version"] = keras_version.encode("utf8")
    for layer_name, weights in layers:
        write_weight_group(
            group.create_group(layer_name), [(f"{layer_name}/{weight_name}", array) for weight_name, array in weights]
        )


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
