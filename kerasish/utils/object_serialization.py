"""The one (de)serialization module: objects to and from Keras 3's serialized form, and names to objects.

A serialized object reads as in Keras 3: `{"module": "keras.layers", "class_name": "Dense", "config":
{...}, "registered_name": None}` (layers add their "build_config"); a plain function is `{"module":
..., "class_name": "function", "config": "mean_squared_error", "registered_name": "function"}`.
kerasish's own classes are written with Keras's public module names, so a config reads the same in
both. Reading finds classes only through `object_registration` and the tables the callers pass; it
never imports a module named in a file.
"""

import contextlib
import inspect

from kerasish.utils import object_registration
from kerasish.utils.unimplemented_arguments import without_inert_arguments

_PUBLIC_MODULES = {
    "kerasish.layers": "keras.layers",
    "kerasish.models": "keras",
    "kerasish.applications": "keras.applications",
    "kerasish.losses": "keras.losses",
    "kerasish.metrics": "keras.metrics",
    "kerasish.optimizers.schedules": "keras.optimizers.schedules",
    "kerasish.optimizers": "keras.optimizers",
    "kerasish.initializers": "keras.initializers",
    "kerasish.regularizers": "keras.regularizers",
    "kerasish.constraints": "keras.constraints",
    "kerasish.activations": "keras.activations",
}
_SAFE_MODE = [True]  # whether the deserialization in progress may run code stored in the config
_UNSAFE_DESERIALIZATION_ENABLED = [False]


def public_module(cls):
    """Keras's public module for kerasish's own classes and functions, else the object's module."""
    module = getattr(cls, "__module__", None) or ""
    for package, public in _PUBLIC_MODULES.items():
        if module == package or module.startswith(package + "."):
            return "keras.src.models.functional" if getattr(cls, "__name__", None) == "Functional" else public
    return module


def _registered_name(obj):
    return object_registration.get_registered_name(obj) if object_registration.is_registered(obj) else None


def serialize(obj, module):
    """A function or an object with `get_config` in Keras's form, under the public `module`."""
    if inspect.isfunction(obj):
        return {
            "module": module,
            "class_name": "function",
            "config": object_registration.get_registered_name(obj),
            "registered_name": "function",
        }
    return {
        "module": module,
        # Keras writes the exported name, which differs from the class's for GroupQueryAttention
        "class_name": vars(type(obj)).get("keras_class_name", type(obj).__name__),
        "config": obj.get_config(),
        "registered_name": _registered_name(type(obj)),
    }


def serialize_layer(layer):
    config = serialize(layer, public_module(type(layer)))
    build_config = layer.get_build_config()
    if build_config:
        config["build_config"] = build_config
    return config


def serialize_keras_object(obj):
    """Keras's `keras.saving.serialize_keras_object`: plain values as they are, containers item by
    item, functions and configurable objects (layers with their build config) in Keras's form."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(value) for value in obj]
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if hasattr(obj, "get_build_config"):
        return serialize_layer(obj)
    if inspect.isfunction(obj) or hasattr(obj, "get_config"):
        return serialize(obj, public_module(obj if inspect.isfunction(obj) else type(obj)))
    raise TypeError(
        f"serialize_keras_object: cannot serialize {obj!r} (of type {type(obj).__name__}): it is "
        "neither a plain value, a function, nor an object with get_config()"
    )


def lookup(kind, identifier, objects):
    """The object a string names, or a ValueError listing every valid name."""
    found = objects.get(identifier)
    if found is None:
        raise ValueError(
            f"Could not interpret {kind} identifier: {identifier!r}. "
            f"Valid names are: {', '.join(sorted(objects))}. A custom {kind} must be decorated "
            "with `@kerasish.saving.register_keras_serializable()` or passed in `custom_objects`"
        )
    return found


def deserialize(kind, config, objects, custom_objects=None):
    """An object from its serialized form (or from a bare name), among `objects` and the registry."""
    objects = {
        **object_registration.registered_by_bare_name(),
        **objects,
        **object_registration.custom_objects_in_force(custom_objects),
    }
    if isinstance(config, str):
        return lookup(kind, config, objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not deserialize {kind}: expected a dict with 'class_name' and 'config', received {config!r}"
        )
    if config["class_name"] == "function":
        return lookup(kind, config["config"], objects)
    cls = lookup(
        kind,
        config.get("registered_name") if config.get("registered_name") in objects else config["class_name"],
        objects,
    )
    return cls.from_config(dict(config.get("config") or {}))


def deserialize_configurable(kind, config, objects, custom_objects=None):
    """As `deserialize`, where a bare name is a class built with its default config (initializers,
    regularizers, constraints)."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return deserialize(kind, config, objects, custom_objects)


def get(kind, identifier, deserialize_identifier):
    """Keras's `get`: None, a name or config (through `deserialize_identifier`), a class (built with
    its defaults) or a callable (as it is)."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize_identifier(identifier)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")


def find_class(config, custom_objects=None):
    """The class of a layer or model config: a custom object first, then kerasish's own layers and models."""
    name = config["class_name"]
    objects = object_registration.custom_objects_in_force(custom_objects)
    for key in (config.get("registered_name"), name):
        if key in objects:
            return objects[key]
    for kind in ("layers", "models"):
        cls = object_registration.built_in(kind, name)
        if cls is not None:
            return cls
    bare = object_registration.registered_by_bare_name()
    for key in (config.get("registered_name"), name):
        if key in bare:
            return bare[key]
    raise ValueError(
        f"Unknown layer class {name!r} (module {config.get('module')!r}): could not locate it. "
        "Make sure custom classes are decorated with `@kerasish.saving.register_keras_serializable()` "
        f"or passed in `custom_objects={{{name!r}: {name}}}`"
    )


def enable_unsafe_deserialization():
    """From now on, loading may run code stored in files (Lambda layers, Python lambdas) whatever `safe_mode=`
    says, as `keras.config.enable_unsafe_deserialization()` does."""
    _UNSAFE_DESERIALIZATION_ENABLED[0] = True


def effective_safe_mode(safe_mode):
    return bool(safe_mode) and not _UNSAFE_DESERIALIZATION_ENABLED[0]


@contextlib.contextmanager
def safe_mode_scope(safe_mode):
    """Inside this block `in_safe_mode()` answers `safe_mode`: `Lambda.from_config` reads it, as in Keras."""
    _SAFE_MODE.append(effective_safe_mode(safe_mode))
    try:
        yield
    finally:
        _SAFE_MODE.pop()


def in_safe_mode():
    return _SAFE_MODE[-1]


def deserialize_layer(config, custom_objects=None):
    """A layer, model or other configurable object from its serialized config; nested configs see
    the same custom_objects."""
    cls = find_class(config, custom_objects)
    with object_registration.custom_object_scope(custom_objects):
        layer = cls.from_config(without_inert_arguments(cls, config["config"]))
    build_config = config.get("build_config")
    if build_config and not layer.built:
        layer.build_from_config(build_config)
    return layer


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Keras's `keras.saving.deserialize_keras_object`: plain values (strings too, unless custom
    objects name them) as they are, a function config as the registered object, a class config as
    the object it built (layers and models among kerasish's own; other classes must be registered or
    in `custom_objects`).
    `module_objects=` adds a table of names, as in Keras."""
    module_objects = kwargs.pop("module_objects", None) or {}
    if kwargs:
        raise TypeError(f"deserialize_keras_object: unexpected keyword arguments {sorted(kwargs)}")
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):  # a plain string, unless custom objects name it (legacy function names)
        found = {**module_objects, **object_registration.custom_objects_in_force(custom_objects)}.get(config)
        return config if found is None else found
    if isinstance(config, (list, tuple)):
        return [
            deserialize_keras_object(value, custom_objects, safe_mode, module_objects=module_objects)
            for value in config
        ]
    if isinstance(config, dict) and "class_name" not in config:
        return {
            key: deserialize_keras_object(value, custom_objects, safe_mode, module_objects=module_objects)
            for key, value in config.items()
        }
    if config["class_name"] == "function":
        return deserialize("object", config, module_objects, custom_objects)
    with safe_mode_scope(safe_mode):
        return deserialize_layer(config, {**module_objects, **(custom_objects or {})})
