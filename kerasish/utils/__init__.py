"""kerasish.utils: Keras's utilities, plus gradcheck and the engine parity check.

The names load on first use: the modules here sit in different tiers (the object registry and the
file helpers low, under every package; `FeatureSpace` with the layers it builds; `plot_model` and
`check_engines_agree` high, over models and trainers), so this package imports none of them up front
and low modules may import their neighbours here without pulling in the models. `legacy` and
`bounding_boxes` are Keras's namespaces inside `keras.utils`, loaded on first use too.
"""

import importlib

from kerasish.utils.gradcheck import gradcheck  # not lazy: its module has its name, which would shadow it

_NAMES = {
    "CustomObjectScope": "kerasish.utils.object_registration",
    "custom_object_scope": "kerasish.utils.object_registration",
    "get_custom_objects": "kerasish.utils.object_registration",
    "get_registered_name": "kerasish.utils.object_registration",
    "get_registered_object": "kerasish.utils.object_registration",
    "register_keras_serializable": "kerasish.utils.object_registration",
    "serialize_keras_object": "kerasish.utils.object_serialization",
    "deserialize_keras_object": "kerasish.utils.object_serialization",
    "split_dataset": "kerasish.utils.dataset_utils",
    "pack_x_y_sample_weight": "kerasish.utils.data_packing",
    "unpack_x_y_sample_weight": "kerasish.utils.data_packing",
    "check_engines_agree": "kerasish.utils.engine_parity",
    "FeatureSpace": "kerasish.utils.feature_space",
    "model_to_dot": "kerasish.utils.model_visualization",
    "plot_model": "kerasish.utils.model_visualization",
    "get_file": "kerasish.utils.file_utils",
    "array_to_img": "kerasish.utils.image_utils",
    "img_to_array": "kerasish.utils.image_utils",
    "load_img": "kerasish.utils.image_utils",
    "save_img": "kerasish.utils.image_utils",
    "normalize": "kerasish.utils.numerical_utils",
    "to_categorical": "kerasish.utils.numerical_utils",
    "Progbar": "kerasish.utils.progbar",
    "PyDataset": "kerasish.utils.py_dataset",
    "set_random_seed": "kerasish.utils.random_seed",
    "pad_sequences": "kerasish.utils.sequence_utils",
    "Config": "kerasish.utils.config",
    "Sequence": "kerasish.utils.py_dataset",
    "get_source_inputs": "kerasish.utils.source_inputs",
    "is_keras_tensor": "kerasish.backend",
    "clear_session": "kerasish.backend",
    "standardize_dtype": "kerasish.backends.dtypes",
    "enable_interactive_logging": "kerasish.backends.config",
    "disable_interactive_logging": "kerasish.backends.config",
    "is_interactive_logging_enabled": "kerasish.backends.config",
    "image_dataset_from_directory": "kerasish.utils.image_dataset_utils",
    "text_dataset_from_directory": "kerasish.utils.text_dataset_utils",
    "audio_dataset_from_directory": "kerasish.utils.audio_dataset_utils",
    "timeseries_dataset_from_array": "kerasish.utils.timeseries_dataset_utils",
}
_SUBMODULES = ("bounding_boxes", "legacy")  # Keras's namespaces inside keras.utils
__all__ = sorted([*_NAMES, *_SUBMODULES, "gradcheck"])


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kerasish.utils.{name}")
    if name in _NAMES:  # kept here once loaded: a submodule of the same name must not shadow it
        globals()[name] = value = getattr(importlib.import_module(_NAMES[name]), name)
        return value
    raise AttributeError(f"module 'kerasish.utils' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NAMES) | set(_SUBMODULES))
