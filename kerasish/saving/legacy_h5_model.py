"""Models and weights in the legacy HDF5 format (`model.save("m.h5")`, keras.applications files).

A model file holds, at its root, `model_config` (JSON), `training_config` (the compile arguments
with the optimizer as `optimizer_config`), `keras_version` and `backend`; the weights in the legacy
layout under `model_weights`, the model's own variables in `top_level_model_weights`; and the
optimizer's variables in `optimizer_weights`. Loading matches layers by order (Keras's default:
the layers with weights, in file order) or by name (`by_name=True`).
"""

import itertools

import h5py

from kerasish.saving import file_writing, legacy_h5_format, weight_matching
from kerasish.saving.legacy_h5_format import KERAS_VERSION, OPTIMIZER, TOP_LEVEL, write_weight_group
from kerasish.saving.model_config import (
    building_from,
    compile_from_legacy_config,
    legacy_training_config,
    model_from_config,
)


def legacy_weights(layer):
    """A layer's weights in the order legacy files store them: trainable first."""
    return layer.trainable_weights + layer.non_trainable_weights


def _names_within(layer, variables):
    """Each variable's path from the layer down (`kernel`, `block/dense/kernel`), made unique."""
    names = []
    for variable in variables:
        parts = str(getattr(variable, "path", variable.name)).split("/")
        name = "/".join(parts[parts.index(layer.name) + 1 :]) if layer.name in parts else variable.name
        names.append(name if name not in names else f"{name}_{len(names)}")
    return names


def write_model_weights(group, model):
    layers = [
        (layer.name, list(zip(_names_within(layer, legacy_weights(layer)), [v.numpy() for v in legacy_weights(layer)])))
        for layer in model.layers
    ]
    legacy_h5_format.write_layer_weights(group, layers)
    write_weight_group(group.create_group(TOP_LEVEL), [(v.path, v.numpy()) for v in model._own_weights()])


def save_model(model, filepath, include_optimizer=True):
    model_config = file_writing.to_json({"class_name": type(model).__name__, "config": model.get_config()})
    training_config = legacy_training_config(model) if include_optimizer else None
    with file_writing.atomic_binary(filepath) as output:
        with h5py.File(output, "w") as file:
            file.attrs["model_config"] = model_config.encode("utf8")
            if training_config is not None:
                file.attrs["training_config"] = file_writing.to_json(training_config).encode("utf8")
            file.attrs["keras_version"] = KERAS_VERSION
            file.attrs["backend"] = "kerasish"
            write_model_weights(file.create_group("model_weights"), model)
            if training_config is not None and model.optimizer.variables:
                write_weight_group(
                    file.create_group(OPTIMIZER), [(v.path, v.numpy()) for v in model.optimizer.variables]
                )


def weight_entries(model, layers, top_level, by_name=False):
    """Entries pairing the file's layers with the model's: by position among the layers with
    weights (every pair required), or by name (layers on one side only are left alone)."""
    model_layers = [(layer.name, legacy_weights(layer)) for layer in model.layers if legacy_weights(layer)]
    Entry = weight_matching.Entry
    if by_name:
        names = {name for name, _ in model_layers}
        entries = [
            Entry(name, layers.get(name), variables, required=name in layers) for name, variables in model_layers
        ]
        entries += [Entry(name, arrays, None, required=False) for name, arrays in layers.items() if name not in names]
    else:
        pairs = itertools.zip_longest(model_layers, layers.items(), fillvalue=(None, None))
        entries = [
            Entry(_pair_name(model_name, file_name), arrays, variables)
            for (model_name, variables), (file_name, arrays) in pairs
        ]
    own = model._own_weights()
    if top_level is not None and (own or top_level):
        entries.append(Entry(TOP_LEVEL, top_level, own))
    return entries


def _pair_name(model_name, file_name):
    if file_name is None or model_name in (None, file_name):
        return model_name or file_name
    return f"{model_name} (file: {file_name})"


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    with legacy_h5_format.open_file(filepath) as root:
        with building_from(filepath, "model_config"):
            model = model_from_config(legacy_h5_format.model_config(root), custom_objects, safe_mode)
        weights = legacy_h5_format.weights_group(root)
        entries = weight_entries(
            model, legacy_h5_format.layer_datasets(weights), legacy_h5_format.top_level_datasets(weights)
        )
        training_config = legacy_h5_format.read_json(root, "training_config")
        if compile and training_config:
            with building_from(filepath, "training_config"):
                compile_from_legacy_config(model, training_config, custom_objects)
            optimizer = legacy_h5_format.optimizer_datasets(root)
            if optimizer:
                entries.append(weight_matching.Entry(OPTIMIZER, optimizer, model.optimizer.variables, required=False))
        values = weight_matching.read(weight_matching.check(entries, filepath, model))
    weight_matching.assign(values)
    return model
