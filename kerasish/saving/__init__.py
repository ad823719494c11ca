"""kerasish.saving: model and weight files (`.keras`, `.weights.h5`, legacy `.h5`), as Keras 3 writes them,
and Keras's names for the object registry and the (de)serialization of objects.

The registry and the (de)serializer live low, in `kerasish.utils` (every package registers there and
reads from there); this package re-exports them. The file functions load on first use.
"""

import importlib

_NAMES = {
    "load_model": "kerasish.saving.saving_api",
    "load_weights": "kerasish.saving.saving_api",
    "save_model": "kerasish.saving.saving_api",
    "save_weights": "kerasish.saving.saving_api",
    "KerasFileEditor": "kerasish.saving.file_editor",
    "CustomObjectScope": "kerasish.utils.object_registration",
    "custom_object_scope": "kerasish.utils.object_registration",
    "get_custom_objects": "kerasish.utils.object_registration",
    "get_registered_name": "kerasish.utils.object_registration",
    "get_registered_object": "kerasish.utils.object_registration",
    "register_keras_serializable": "kerasish.utils.object_registration",
    "serialize_keras_object": "kerasish.utils.object_serialization",
    "deserialize_keras_object": "kerasish.utils.object_serialization",
}
__all__ = sorted(_NAMES)


def __getattr__(name):
    if name in _NAMES:  # kept here once loaded: a submodule of the same name must not shadow it
        globals()[name] = value = getattr(importlib.import_module(_NAMES[name]), name)
        return value
    raise AttributeError(f"module 'kerasish.saving' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
