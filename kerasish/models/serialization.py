"""Layer configs in Keras 3's serialized form: {"module", "class_name", "config", "registered_name", ...}.

kerasish's own layers are written with Keras's public module names ("keras.layers", "keras"), so
a config reads the same in both; reading maps those names back onto kerasish's classes.
"""
import contextlib
import importlib

from kerasish.models.unimplemented_arguments import without_inert_arguments

_PUBLIC_MODULES = {"kerasish.layers": "keras.layers", "kerasish.models": "keras",
                   "kerasish.applications": "keras.applications"}
_SEARCH = ("kerasish.layers", "kerasish.models")
_SCOPE = []  # custom_objects of the deserializations in progress
_SAFE_MODE = [True]  # whether the deserialization in progress may run code stored in the config


def public_module(cls):
    for package, public in _PUBLIC_MODULES.items():
        if cls.__module__ == package or cls.__module__.startswith(package + "."):
            return "keras.src.models.functional" if cls.__name__ == "Functional" else public
    return cls.__module__


def serialize_layer(layer):
    config = {"module": public_module(type(layer)), "class_name": type(layer).__name__,
              "config": layer.get_config(), "registered_name": None}
    build_config = layer.get_build_config()
    if build_config:
        config["build_config"] = build_config
    return config


def find_class(config, custom_objects=None):
    name = config["class_name"]
    custom_objects = {**(_SCOPE[-1] if _SCOPE else {}), **(custom_objects or {})}
    for key in (config.get("registered_name"), name):
        if key in custom_objects:
            return custom_objects[key]
    for package in _SEARCH:
        cls = getattr(importlib.import_module(package), name, None)
        if isinstance(cls, type):
            return cls
    raise ValueError(f"Unknown layer class {name!r} (module {config.get('module')!r}); pass it in "
                     f"`custom_objects={{{name!r}: {name}}}`")


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Classes by name that the deserializations inside this block may use (as Keras's scope)."""
    _SCOPE.append({**(_SCOPE[-1] if _SCOPE else {}), **(custom_objects or {})})
    try:
        yield
    finally:
        _SCOPE.pop()


def scoped_custom_objects():
    """The custom_objects of the deserialization in progress (for `from_config` methods that need them)."""
    return dict(_SCOPE[-1]) if _SCOPE else {}


@contextlib.contextmanager
def safe_mode_scope(safe_mode):
    """Inside this block `in_safe_mode()` answers `safe_mode`: `Lambda.from_config` reads it, as in Keras."""
    _SAFE_MODE.append(bool(safe_mode))
    try:
        yield
    finally:
        _SAFE_MODE.pop()


def in_safe_mode():
    return _SAFE_MODE[-1]


def deserialize_layer(config, custom_objects=None):
    """A layer (or model) from its serialized config; nested configs see the same custom_objects."""
    cls = find_class(config, custom_objects)
    with custom_object_scope(custom_objects):
        layer = cls.from_config(without_inert_arguments(cls, config["config"]))
    build_config = config.get("build_config")
    if build_config and not layer.built:
        layer.build_from_config(build_config)
    return layer
