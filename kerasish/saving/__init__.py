"""kerasish.saving: model and weight files (`.keras`, `.weights.h5`, legacy `.h5`), as Keras 3 writes them.

The public functions load on first use: losses, optimizers and initializers import
`kerasish.saving.object_registry`, which must not pull in the file formats (they need those modules).
"""
import importlib

_NAMES = {
    "load_model": "saving_api", "load_weights": "saving_api", "save_model": "saving_api", "save_weights": "saving_api",
    "CustomObjectScope": "object_registration", "custom_object_scope": "object_registration",
    "get_custom_objects": "object_registration", "get_registered_name": "object_registration",
    "get_registered_object": "object_registration", "register_keras_serializable": "object_registration",
}
__all__ = sorted(_NAMES)


def __getattr__(name):
    if name in _NAMES:
        return getattr(importlib.import_module(f"kerasish.saving.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'kerasish.saving' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
