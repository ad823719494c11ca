"""Keras 3's native files: the `.keras` zip (config.json, metadata.json, model.weights.h5) and
`.weights.h5` (the variables alone), both in the object-path layout of `object_paths`.

Writes go to a temporary file that replaces the target only when complete. Reads go through the
safe readers (`backends/io`): the zip's members are streamed under a cap (the config under
CONFIG_LIMIT, the weights under what the model can need), `model.weights.h5` is copied into an
anonymous temporary file, and its datasets are read only once their shapes match the model's.
"""

import contextlib
import datetime
import io
import json
import math
import os
import tempfile
import zipfile

import h5py
import numpy

from kerasish.backends.io import hdf5
from kerasish.backends.io.read_errors import UnreadableFileError, reading
from kerasish.backends.io.zip_archive import ZipArchive
from kerasish.optimizers import Optimizer
from kerasish.saving import file_writing, weight_matching
from kerasish.saving.legacy_h5_format import KERAS_VERSION
from kerasish.saving.model_config import building_from, compile_from_config, model_from_config, serialize_compile_config
from kerasish.saving.object_paths import own_variables, read_variables, saveables, write_variables
from kerasish.utils.object_serialization import serialize_layer

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
CONFIG_LIMIT = 64 * 2**20
# model.weights.h5 may hold optimizer state the model lacks (loaded with compile=False: Adam keeps
# two slots per weight, AMSGrad and EMA more) and HDF5's own headers.
STATE_ALLOWANCE, HEADER_ALLOWANCE = 8, 64 * 2**20
ASSETS, ASSET_LIMIT = "assets", 256 * 2**20  # files a layer keeps beside its weights (vocabularies)


def model_config(model):
    config = serialize_layer(model)
    config["compile_config"] = serialize_compile_config(model)
    return config


def _weights_bytes(model):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        write_variables(file, model)
    return buffer.getvalue()


def _asset_folder(path):
    return f"{ASSETS}/{path}/" if path else f"{ASSETS}/"


def _assets(model):
    """{archive member: bytes} of the files the model's layers write with `save_assets(folder)`, as Keras."""
    members = {}
    for path, saveable in saveables(model):
        if hasattr(saveable, "save_assets"):
            with tempfile.TemporaryDirectory() as folder:
                saveable.save_assets(folder)
                for name in sorted(os.listdir(folder)):
                    with open(os.path.join(folder, name), "rb") as file:
                        members[_asset_folder(path) + name] = file.read()
    return members


def load_assets(archive, model):
    """Hands each layer with `load_assets(folder)` a folder holding its files from the archive."""
    names = archive.names()
    for path, saveable in saveables(model):
        prefix = _asset_folder(path)
        members = [n for n in names if n.startswith(prefix) and n[len(prefix) :] and "/" not in n[len(prefix) :]]
        if hasattr(saveable, "load_assets") and members:
            with tempfile.TemporaryDirectory() as folder:
                for member in members:
                    with open(os.path.join(folder, member[len(prefix) :]), "wb") as file:
                        file.write(archive.read(member, ASSET_LIMIT))
                saveable.load_assets(folder)


def save_model(model, filepath):
    config = file_writing.to_json(model_config(model))
    metadata = json.dumps(
        {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    )
    weights = _weights_bytes(model)
    assets = _assets(model)
    with file_writing.atomic_binary(filepath) as output:
        with zipfile.ZipFile(output, "w") as archive:
            archive.writestr(METADATA, metadata)
            archive.writestr(CONFIG, config)
            archive.writestr(WEIGHTS, weights)
            for member, data in assets.items():
                archive.writestr(member, data)


def save_weights(model, filepath):
    with file_writing.atomic_binary(filepath) as output:
        with h5py.File(output, "w") as file:
            write_variables(file, model)


def open_archive(filepath):
    return ZipArchive(filepath, ".keras file")


def read_config(archive):
    with reading(archive.path, ".keras file"):
        config = json.loads(archive.read(CONFIG, CONFIG_LIMIT))
    if not isinstance(config, dict):
        raise UnreadableFileError(f"{archive.path}: {CONFIG} holds a {type(config).__name__}, not a model config")
    return config


def weights_limit(model):
    """The most bytes `model.weights.h5` may inflate to for `model`."""
    needed = sum(
        math.prod(v.shape) * numpy.dtype(v.dtype).itemsize
        for _, saveable in saveables(model)
        for v in own_variables(saveable)
    )
    return STATE_ALLOWANCE * needed + HEADER_ALLOWANCE


@contextlib.contextmanager
def archive_weights(archive, limit):
    """{object path: [Dataset]} of the archive's `model.weights.h5` (at most `limit` bytes: see
    `weights_limit`), readable while the block runs."""
    with (
        archive.temporary_copy(WEIGHTS, limit) as copy,
        hdf5.open_file(copy, f"{archive.path}:{WEIGHTS}", "Keras weights file") as root,
    ):
        yield read_variables(root)


@contextlib.contextmanager
def weights_file(filepath):
    """{object path: [Dataset]} of a `.weights.h5` file, readable while the block runs."""
    with hdf5.open_file(filepath, kind="Keras weights file") as root:
        yield read_variables(root)


def weight_entries(model, stored):
    """One Entry per saveable of the model with variables, plus the file's paths the model lacks.
    Optimizer state that does not fit is skipped with a warning, as Keras does."""
    entries, seen = [], set()
    for path, saveable in saveables(model):
        seen.add(path)
        variables, arrays = own_variables(saveable), stored.get(path)
        if variables or arrays:
            entries.append(
                weight_matching.Entry(
                    f"{path or '(model)'} ({saveable.name})",
                    arrays,
                    variables,
                    required=not isinstance(saveable, Optimizer),
                )
            )
    entries += [
        weight_matching.Entry(path, arrays, None, required=path != "optimizer")
        for path, arrays in stored.items()
        if path not in seen and arrays
    ]
    return entries


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    with open_archive(filepath) as archive:
        config = read_config(archive)
        with building_from(filepath, CONFIG):
            model = model_from_config(config, custom_objects, safe_mode)
            if compile and config.get("compile_config"):
                compile_from_config(model, config["compile_config"], custom_objects)
            load_assets(archive, model)
        with archive_weights(archive, weights_limit(model)) as stored:
            values = weight_matching.read(weight_matching.check(weight_entries(model, stored), filepath, model))
    weight_matching.assign(values)
    return model
