"""Keras 3's native files: the `.keras` zip (config.json, metadata.json, model.weights.h5) and
`.weights.h5` (the variables alone), both in the object-path layout of `object_paths`.

Writes go to a temporary file that replaces the target only when complete. Reads take the whole
file into memory and check it before the model is touched.
"""
import datetime
import io
import json
import zipfile

import h5py

from kerasish.models.serialization import serialize_layer
from kerasish.optimizers import Optimizer
from kerasish.saving import file_writing, weight_matching
from kerasish.saving.legacy_h5_format import KERAS_VERSION
from kerasish.saving.model_config import compile_from_config, model_from_config, serialize_compile_config
from kerasish.saving.object_paths import own_variables, read_variables, saveables, write_variables
from kerasish.saving.read_errors import UnreadableFileError, reading

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


def model_config(model):
    config = serialize_layer(model)
    config["compile_config"] = serialize_compile_config(model)
    return config


def _weights_bytes(model):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        write_variables(file, model)
    return buffer.getvalue()


def save_model(model, filepath):
    config = file_writing.to_json(model_config(model))
    metadata = json.dumps({"keras_version": KERAS_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = _weights_bytes(model)
    with file_writing.atomic_binary(filepath) as output:
        with zipfile.ZipFile(output, "w") as archive:
            archive.writestr(METADATA, metadata)
            archive.writestr(CONFIG, config)
            archive.writestr(WEIGHTS, weights)


def save_weights(model, filepath):
    with file_writing.atomic_binary(filepath) as output:
        with h5py.File(output, "w") as file:
            write_variables(file, model)


def _read_weights(source, name):
    with reading(name, "Keras weights file"), h5py.File(source, "r") as file:
        return read_variables(file, name)


def read_archive(filepath, with_config=True):
    """(config dict or None, {object path: [arrays]}) from a `.keras` file, all read and parsed."""
    with reading(filepath, ".keras file"), zipfile.ZipFile(filepath, "r") as archive:
        names = archive.namelist()
        missing = [n for n in ((CONFIG, WEIGHTS) if with_config else (WEIGHTS,)) if n not in names]
        if missing:
            raise UnreadableFileError(f"{filepath}: not a Keras .keras file: it lacks {missing} (it holds {names})")
        config = json.loads(archive.read(CONFIG)) if with_config else None
        weights = archive.read(WEIGHTS)
    return config, _read_weights(io.BytesIO(weights), f"{filepath}:{WEIGHTS}")


def read_weights_file(filepath):
    return _read_weights(filepath, filepath)


def weight_entries(model, stored):
    """One Entry per saveable of the model with variables, plus the file's paths the model lacks.
    Optimizer state that does not fit is skipped with a warning, as Keras does."""
    entries, seen = [], set()
    for path, saveable in saveables(model):
        seen.add(path)
        variables, arrays = own_variables(saveable), stored.get(path)
        if variables or arrays:
            entries.append(weight_matching.Entry(f"{path or '(model)'} ({saveable.name})", arrays, variables,
                                                 required=not isinstance(saveable, Optimizer)))
    entries += [weight_matching.Entry(path, arrays, None, required=path != "optimizer")
                for path, arrays in stored.items() if path not in seen and arrays]
    return entries


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    config, stored = read_archive(filepath)
    model = model_from_config(config, custom_objects, safe_mode)
    if compile and config.get("compile_config"):
        compile_from_config(model, config["compile_config"], custom_objects)
    weight_matching.assign(weight_matching.check(weight_entries(model, stored), filepath, model))
    return model
