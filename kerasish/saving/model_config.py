"""A model from its saved config (safe mode), and the compile config in Keras 3's serialized form.

Safe mode refuses configs that would run code on load: a `Lambda` layer whose function is Python
bytecode or a function of a module to import (only named functions from `custom_objects` or
kerasish's ops and activations are safe), or any other serialized Python lambda. Unknown classes
are refused by `utils.object_serialization.find_class`, which only looks among kerasish's classes and
`custom_objects` and never imports a module named in a file.
"""

import contextlib

import kerasish.models  # noqa: F401 (loading registers Functional, Sequential and Model for deserialize_layer)
from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.layers.core.lambda_layer import loads_safely
from kerasish.utils.object_registration import custom_object_scope, custom_objects_in_force, registered_by_bare_name
from kerasish.utils.object_serialization import deserialize_layer, effective_safe_mode, safe_mode_scope


def _unsafe_entries(config, custom_objects, found):
    if isinstance(config, dict):
        inner = config.get("config")
        if config.get("class_name") == "Lambda":
            if not _loads_safely(inner, custom_objects):
                found.append(inner.get("name", "Lambda") if isinstance(inner, dict) else "Lambda")
            return found
        if config.get("class_name") == "__lambda__":
            found.append("__lambda__")
        for value in config.values():
            _unsafe_entries(value, custom_objects, found)
    elif isinstance(config, list):
        for value in config:
            _unsafe_entries(value, custom_objects, found)
    return found


def _loads_safely(lambda_config, custom_objects):
    """Whether a Lambda layer's functions are named ones from `custom_objects` or kerasish's own modules."""
    if not isinstance(lambda_config, dict):
        return False
    functions = [lambda_config.get("function")]
    if isinstance(lambda_config.get("output_shape"), dict):
        functions.append(lambda_config["output_shape"])
    return all(loads_safely(function, custom_objects) for function in functions)


def model_from_config(config, custom_objects=None, safe_mode=True):
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Not a model config: expected a dict with 'class_name', received {str(config)[:200]}")
    known = {**registered_by_bare_name(), **custom_objects_in_force(custom_objects)}
    unsafe = _unsafe_entries(config, known, []) if effective_safe_mode(safe_mode) else []
    if unsafe:
        raise ValueError(
            f"Requested the deserialization of Lambda layers or Python lambdas {unsafe}: loading "
            "them would execute code stored in the file, which carries a risk of arbitrary code "
            "execution and is therefore disallowed by default. If you trust the source of the file, "
            "pass `safe_mode=False` to the loading function."
        )
    with safe_mode_scope(safe_mode):
        return deserialize_layer(config, custom_objects)


@contextlib.contextmanager
def building_from(path, what):
    """Raw failures (KeyError, TypeError...) while a model is built or compiled from the config
    `what` of the file `path` become one UnreadableFileError naming both; ValueErrors pass as raised."""
    try:
        yield
    except (KeyError, AttributeError, IndexError, TypeError, RecursionError) as error:
        raise UnreadableFileError(
            f"{path}: {what} does not describe a model kerasish can build: {type(error).__name__}: {error}"
        ) from error


def serialize_compile_config(model):
    """The model's `get_compile_config()` (Keras's serialized form); None for a model never compiled."""
    return model.get_compile_config() if getattr(model, "compiled", False) else None


def compile_from_config(model, config, custom_objects=None):
    """The model's `compile_from_config(config)`, with `custom_objects` in force as well as the registry."""
    with custom_object_scope(custom_objects or {}):
        model.compile_from_config(config)


def legacy_training_config(model):
    """The `training_config` attribute of a legacy .h5 file: the compile config, the optimizer as
    `optimizer_config` ({"class_name", "config"})."""
    config = serialize_compile_config(model)
    if config is None:
        return None
    optimizer = config.pop("optimizer")
    return {**config, "optimizer_config": {"class_name": optimizer["class_name"], "config": optimizer["config"]}}


def compile_from_legacy_config(model, training_config, custom_objects=None):
    config = {**training_config, "optimizer": training_config.get("optimizer_config", "rmsprop")}
    compile_from_config(model, config, custom_objects)
