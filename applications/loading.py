"""Resolve a `weights=` argument to a file, and load that file into an application model.

Keras .h5 files load by layer name; torchvision .pth state dicts go through the model's key map
and the layout converters. Everything is read and checked before anything is assigned (shapes,
layouts, numeric dtypes), so a failed load leaves the model as it was, and the error lists the
missing, unexpected, mis-shaped and unreadable entries.

A `weights=` string that names a source ("imagenet", "keras", "torchvision") always means that
source, whatever files lie in the working directory; any other string is a path only when it looks
like one (it holds a path separator or has a file extension); a `pathlib.Path` is always a path.
"""

import math
import os

import numpy

from kerasish.backends.io.hdf5 import is_hdf5
from kerasish.backends.io.torch_pth import is_pth, load_pth
from kerasish.saving.legacy_h5_format import read_layer_weights
from kerasish.utils import get_file
from kerasish.utils.file_utils import PATH_SEPARATORS

from . import weight_sources
from .weights import convert

NAMED_SOURCES = ("imagenet", "keras", "torchvision")
NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float
LARGEST_ITEMSIZE = 8  # bytes per element a weight file may spend (float64, int64)


def looks_like_path(weights):
    if isinstance(weights, os.PathLike):
        return True
    return any(s in weights for s in PATH_SEPARATORS) or bool(os.path.splitext(weights)[1])


def resolve_weights(model_name, weights, include_top):
    """(source convention, local path or None) for None, 'imagenet', 'keras', 'torchvision' or a file path."""
    if weights is None:
        return weight_sources.DEFAULT_SOURCE[model_name], None
    if isinstance(weights, str) and weights in NAMED_SOURCES:
        source = weight_sources.DEFAULT_SOURCE[model_name] if weights == "imagenet" else weights
        return source, download(weight_sources.find(model_name, source, include_top))
    if isinstance(weights, (str, os.PathLike)) and looks_like_path(weights) and os.path.isfile(weights):
        return detect_source(weights), os.fspath(weights)
    hint = ""
    if isinstance(weights, str) and not looks_like_path(weights) and os.path.isfile(weights):
        hint = f" (a local file named {weights!r} exists: pass it as {os.path.join(os.curdir, weights)!r})"
    raise ValueError(
        "The `weights` argument should be either None (random initialization), 'imagenet' "
        "(pre-training on ImageNet), 'keras', 'torchvision', or the path to the weights file "
        f"to be loaded (.h5 or .pth). Received: weights={weights!r}{hint}"
    )


def detect_source(path):
    if is_pth(path):
        return "torchvision"
    if is_hdf5(path):
        return "keras"
    raise ValueError(f"{path}: not a Keras .h5 weights file nor a torch .pth state dict (detected by content)")


def download(source):
    """Fetch a weight file into ~/.kerasish/models, checking its published hash (md5, or a sha256 prefix)."""
    return get_file(
        source.file_name,
        source.url,
        file_hash=source.file_hash,
        cache_subdir="models",
        hash_algorithm=source.hash_algorithm,
    )


def _from_keras_file(model, path):
    return read_layer_weights(path, max_bytes=sum(math.prod(w.shape) for w in model.weights) * LARGEST_ITEMSIZE)


def _layout_problem(state, prefix, kind, extra):
    """Why the torch entries under `prefix` cannot be converted for a `kind` layer, or None."""
    for name, ndim in convert.LAYOUTS[kind].items():
        key = f"{prefix}.{name}"
        if key not in state:
            if (kind, name) in convert.OPTIONAL:
                continue
            return f"{key} is missing"
        value = state[key]
        if not isinstance(value, numpy.ndarray) or value.dtype.kind not in NUMERIC_KINDS:
            return f"{key} is not a numeric tensor ({type(value).__name__})"
        if value.ndim != ndim:
            return f"{key} has shape {value.shape}, not {ndim} dimensions"
    if extra is not None and state[f"{prefix}.weight"].shape[1] != math.prod(extra):
        return f"{prefix}.weight has {state[prefix + '.weight'].shape[1]} columns, not {math.prod(extra)} = {extra}"
    return None


def _from_torch_file(model, path, torch_keys):
    """({layer name: arrays, or why they cannot be converted}, unexpected keys). Compressed members may
    inflate to what the model could need: LARGEST_ITEMSIZE bytes per weight element."""
    needed = sum(math.prod(w.shape) for w in model.weights) * LARGEST_ITEMSIZE
    state = load_pth(path, max_bytes=needed)
    arrays, used = {}, set()
    names = {layer.name for layer in model.layers}
    for layer_name, (kind, prefix, extra) in torch_keys(model).items():
        if layer_name not in names:
            continue
        keys = [k for k in state if isinstance(k, str) and k.startswith(prefix + ".")]
        if not keys:
            continue
        problem = _layout_problem(state, prefix, kind, extra)
        if problem is not None:
            arrays[layer_name] = problem
        else:
            converter = convert.CONVERTERS[kind]
            arrays[layer_name] = converter(state, prefix, extra) if extra is not None else converter(state, prefix)
        used.update(keys)
    head_prefixes = tuple(
        prefix + "." for name, (kind, prefix, extra) in torch_keys(model).items() if name not in names
    )
    unused = [
        str(k)
        for k in state
        if k not in used and not str(k).endswith("num_batches_tracked") and not str(k).startswith(head_prefixes)
    ]
    return arrays, unused


def _file_problem(arrays):
    """Why arrays read for one layer cannot be assigned, whatever their shapes, or None."""
    if isinstance(arrays, str):
        return arrays
    for array in arrays:
        if not isinstance(array, numpy.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
            return f"not numeric ({getattr(array, 'dtype', type(array).__name__)})"
    return None


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
        problem = _file_problem(found[layer.name])
        if problem is not None:
            rows.append((layer.name, "?", model_shapes, f"unreadable: {problem}"))
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
        details = "; ".join(
            f"{name}: {status} (file {file_shapes}, model {model_shapes})"
            for name, file_shapes, model_shapes, status in problems[:20]
        )
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
