"""save_model / load_model / save_weights / load_weights: pick the format from the file name, as
Keras 3's `keras/src/saving/saving_api.py` does (`.keras`, `.weights.h5`, legacy `.h5`/`.hdf5`).

kerasish.models re-exports these functions lazily (Model.save and friends call them there), so
`import kerasish.models` does not load the file formats.
"""

import contextlib
import os
import warnings
import zipfile

from kerasish.saving import keras_format, legacy_h5_format, legacy_h5_model, weight_matching
from kerasish.utils.object_registration import custom_objects_in_force

LEGACY_SUFFIXES = (".h5", ".hdf5")


def _ask_to_overwrite(filepath):
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "y":
        print("[TIP] Next time specify overwrite=True!")
    return answer == "y"


def _may_write(filepath, overwrite):
    return overwrite or not os.path.exists(filepath) or _ask_to_overwrite(filepath)


def save_model(model, filepath, overwrite=True, **kwargs):
    filepath = os.fspath(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    if not filepath.endswith((".keras",) + LEGACY_SUFFIXES):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for the "
            "native Keras format (recommended) or a `.h5` extension. "
            f"Received: filepath={filepath}."
        )
    if not model.built:
        warnings.warn(
            "You are saving a model that has not yet been built. It might not contain any weights "
            "yet. Consider building the model first by calling it on some data.",
            stacklevel=3,
        )
    if not _may_write(filepath, overwrite):
        return
    if filepath.endswith(".keras"):
        return keras_format.save_model(model, filepath)
    warnings.warn(
        "You are saving your model as an HDF5 file via `model.save()` or "
        "`kerasish.saving.save_model(model)`. This file format is considered legacy. We recommend "
        "using instead the native Keras format, e.g. `model.save('my_model.keras')` or "
        "`kerasish.saving.save_model(model, 'my_model.keras')`.",
        stacklevel=3,
    )
    return legacy_h5_model.save_model(model, filepath, include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model (compiled, with its optimizer state, when the file has a compile config) from a
    `.keras` or legacy `.h5` file. safe_mode=True refuses Lambda layers and Python lambdas."""
    filepath = os.fspath(filepath)
    custom_objects = custom_objects_in_force(custom_objects)
    if filepath.endswith(".keras"):
        if not os.path.isfile(filepath):
            raise ValueError(
                f"File not found: filepath={filepath}. Please ensure the file is an accessible `.keras` zip file."
            )
        if not zipfile.is_zipfile(filepath):
            raise ValueError(f"{filepath}: not a readable .keras file (not a zip archive; truncated or corrupt?)")
        return keras_format.load_model(filepath, custom_objects, compile, safe_mode)
    if filepath.endswith(LEGACY_SUFFIXES):
        return legacy_h5_model.load_model(filepath, custom_objects, compile, safe_mode)
    raise ValueError(
        f"File format not supported: filepath={filepath}. kerasish (like Keras 3) supports `.keras` "
        "files and legacy H5 files (`.h5` extension)."
    )


def save_weights(model, filepath, overwrite=True, **kwargs):
    filepath = os.fspath(filepath)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")
    if not model.built:
        raise ValueError(
            "You are saving a model that has not yet been built. Try building the model first by "
            "calling it on some data or by using `build()`."
        )
    if _may_write(filepath, overwrite):
        keras_format.save_weights(model, filepath)


@contextlib.contextmanager
def _stored_entries(model, filepath, by_name):
    """The weight_matching Entries of the file, its datasets readable while the block runs."""
    if filepath.endswith(".keras"):
        with (
            keras_format.open_archive(filepath) as archive,
            keras_format.archive_weights(archive, keras_format.weights_limit(model)) as stored,
        ):
            yield keras_format.weight_entries(model, stored)
    elif filepath.endswith(".weights.h5"):
        with keras_format.weights_file(filepath) as stored:
            yield keras_format.weight_entries(model, stored)
    else:
        with legacy_h5_format.open_file(filepath) as root:
            weights = legacy_h5_format.weights_group(root)
            yield legacy_h5_model.weight_entries(
                model, legacy_h5_format.layer_datasets(weights), legacy_h5_format.top_level_datasets(weights), by_name
            )


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load `.keras`, `.weights.h5` or legacy `.h5`/`.hdf5` weights (by order, or `by_name=True`).

    Every entry is read and checked before any is assigned; a mismatch raises one error listing
    the missing, unexpected and mis-shaped entries (skip_mismatch=True loads the rest, with a
    warning). dry_run=True prints the per-layer table and changes nothing.
    """
    filepath = os.fspath(filepath)
    by_name = kwargs.pop("by_name", False)
    dry_run = kwargs.pop("dry_run", False)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if not filepath.endswith((".keras",) + LEGACY_SUFFIXES):
        raise ValueError(
            f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` and "
            "`.weights.h5` files, or legacy V1/V2 `.h5` files."
        )
    if by_name and filepath.endswith((".keras", ".weights.h5")):
        raise ValueError(f"by_name=True is only for legacy .h5 files; {filepath} stores weights by object path")
    if not model.built:
        raise ValueError(
            "You are loading weights into a model that has not yet been built. Try building the "
            "model first by calling it on some data or by using `build()`."
        )
    if not os.path.isfile(filepath):
        raise FileNotFoundError(f"No such weights file: {filepath}")
    with _stored_entries(model, filepath, by_name) as entries:
        if dry_run:
            weight_matching.print_table(entries, f"{os.path.basename(filepath)} -> {model.name}")
            return None
        values = weight_matching.read(weight_matching.check(entries, filepath, model, skip_mismatch))
    weight_matching.assign(values)
    return None
