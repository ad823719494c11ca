"""Resolve a `weights=` argument to a file, and load that file into an application model.

Keras .h5 files load by layer name; torchvision .pth state dicts go through the model's key map
and the layout converters. Every layer is checked before any is assigned, so a failed load leaves
the model as it was, and the error lists the missing, unexpected and mis-shaped entries.
"""
import os

import h5py

from kerasish.saving.legacy_h5_format import read_layer_weights

from . import weight_sources
from .weights import convert
from .weights.torch_pth import is_pth, load_pth

NAMED_SOURCES = ("imagenet", "keras", "torchvision")


def resolve_weights(model_name, weights, include_top):
    """(source convention, local path or None) for None, 'imagenet', 'keras', 'torchvision' or a file path."""
    if weights is None:
        return weight_sources.DEFAULT_SOURCE[model_name], None
    if isinstance(weights, (str, os.PathLike)) and os.path.isfile(weights):
        return detect_source(weights), os.fspath(weights)
    if weights not in NAMED_SOURCES:
        raise ValueError("The `weights` argument should be either None (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), 'keras', 'torchvision', or the path to the weights file "
                         f"to be loaded (.h5 or .pth). Received: weights={weights!r}")
    source = weight_sources.DEFAULT_SOURCE[model_name] if weights == "imagenet" else weights
    return source, download(weight_sources.find(model_name, source, include_top))


def detect_source(path):
    if is_pth(path):
        return "torchvision"
    if h5py.is_hdf5(path):
        return "keras"
    raise ValueError(f"{path}: not a Keras .h5 weights file nor a torch .pth state dict (detected by content)")


def download(source):
    """Fetch a weight file into ~/.kerasish/models, checking its published hash (md5, or a sha256 prefix)."""
    from kerasish.utils import get_file
    return get_file(source.file_name, source.url, file_hash=source.file_hash, cache_subdir="models",
                    hash_algorithm=source.hash_algorithm)


def _from_keras_file(model, path):
    return read_layer_weights(path)


def _from_torch_file(model, path, torch_keys):
    state = load_pth(path)
    arrays, used = {}, set()
    names = {layer.name for layer in model.layers}
    for layer_name, (kind, prefix, extra) in torch_keys(model).items():
        if layer_name not in names:
            continue
        keys = [k for k in state if k.startswith(prefix + ".")]
        if not keys:
            continue
        converter = convert.CONVERTERS[kind]
        arrays[layer_name] = converter(state, prefix, extra) if extra is not None else converter(state, prefix)
        used.update(keys)
    head_prefixes = tuple(prefix + "." for name, (kind, prefix, extra) in torch_keys(model).items()
                          if name not in names)
    unused = [k for k in state if k not in used and not k.endswith("num_batches_tracked")
              and not k.startswith(head_prefixes)]
    return arrays, unused


def match(model, path, source, torch_keys):
    """Per-layer rows (name, file shapes, model shapes, status) and the arrays to assign."""
    if source == "torchvision":
        found, unexpected = _from_torch_file(model, path, torch_keys)
    else:
        found = _from_keras_file(model, path)
        names = {layer.name for layer in model.layers}
        unexpected = [name for name in found if name not in names]
    rows, assign = [], {}
    for layer in model.layers:
        current = layer.get_weights()
        if not current:
            continue
        model_shapes = [tuple(w.shape) for w in current]
        if layer.name not in found:
            rows.append((layer.name, "-", model_shapes, "missing"))
            continue
        file_shapes = [tuple(a.shape) for a in found[layer.name]]
        status = "ok" if file_shapes == model_shapes else "shape mismatch"
        rows.append((layer.name, file_shapes, model_shapes, status))
        if status == "ok":
            assign[layer.name] = found[layer.name]
    rows += [(name, "?", "-", "unexpected") for name in unexpected]
    return rows, assign


def print_table(rows, title):
    from rich.console import Console
    from rich.table import Table
    table = Table(title=title)
    for column in ("layer", "file shape", "model shape", "status"):
        table.add_column(column)
    for name, file_shapes, model_shapes, status in rows:
        table.add_row(name, str(file_shapes), str(model_shapes), status)
    Console().print(table)


def load_pretrained(model, path, source, torch_keys, dry_run=False):
    """Load a .h5 or .pth file into `model`; with dry_run=True print the match table and change nothing."""
    rows, assign = match(model, path, source, torch_keys)
    if dry_run:
        print_table(rows, f"{os.path.basename(path)} -> {model.name}")
        return rows
    problems = [row for row in rows if row[3] != "ok"]
    if problems:
        details = "; ".join(f"{name}: {status} (file {file_shapes}, model {model_shapes})"
                            for name, file_shapes, model_shapes, status in problems[:20])
        more = f" and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ValueError(f"Cannot load {path} into {model.name}: {len(problems)} problem(s): {details}{more}")
    for layer in model.layers:
        if layer.name in assign:
            layer.set_weights(assign[layer.name])
    return rows


def load_weights(model, filepath, dry_run=False):
    """Load a Keras .h5 or torchvision .pth file (detected by content) into an application model.

    dry_run=True prints the per-layer match table (file shapes, model shapes, status) and changes nothing.
    """
    path = os.fspath(filepath)
    return load_pretrained(model, path, detect_source(path), model.torch_keys, dry_run=dry_run)
