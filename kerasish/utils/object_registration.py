"""The one object registry: every class and function that loading may find by name.

Three sources, the nearest winning: the `custom_objects` a call passes, the `custom_object_scope`s
in force, the objects registered with `register_keras_serializable` (stored as "package>name" and
also found by the bare name, for files that recorded only the class name).
kerasish's own layers and models register their tables here when their package loads
(`register_built_ins`), so the deserializer, which sits below them, finds them without importing
them. Loss, metric, optimizer, initializer, regularizer, constraint and activation names are the
tables those packages pass to `object_serialization.deserialize` themselves.
"""

import inspect

GLOBAL_CUSTOM_OBJECTS = {}
GLOBAL_CUSTOM_NAMES = {}
_BUILT_INS = {}  # kind ("layers", "models") -> {class name: class}
_SCOPES = []  # the merged custom_objects of each custom_object_scope in force, innermost last


class CustomObjectScope:
    """`with custom_object_scope({"MyLayer": MyLayer}):` deserializations inside the block find these names."""

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            if objects is not None and not isinstance(objects, dict):
                raise TypeError(f"custom_object_scope takes dicts of name -> object, received {objects!r}")
            self.custom_objects.update(objects or {})

    def __enter__(self):
        _SCOPES.append({**(_SCOPES[-1] if _SCOPES else {}), **self.custom_objects})
        return self

    def __exit__(self, *exc_info):
        _SCOPES.pop()


custom_object_scope = CustomObjectScope


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class (which must have `get_config`) or a function for loading."""

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_custom_objects():
    """The global registry, {"package>name": object}; assigning into it registers too."""
    return GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj):
    """The name `obj` was registered under ("package>name"), else its own name."""
    return GLOBAL_CUSTOM_NAMES.get(obj, obj.__name__)


def is_registered(obj):
    return obj in GLOBAL_CUSTOM_NAMES


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object `name` stands for among the scopes, `custom_objects`, the registered objects and
    `module_objects`, or None."""
    found = custom_objects_in_force(custom_objects).get(name)
    return found if found is not None else (module_objects or {}).get(name)


def custom_objects_in_force(custom_objects=None):
    """Registered objects by their full "package>name", overridden by the scopes in force, overridden by
    `custom_objects`."""
    return {**GLOBAL_CUSTOM_OBJECTS, **(_SCOPES[-1] if _SCOPES else {}), **(custom_objects or {})}


def registered_by_bare_name():
    """Registered objects by their bare name: the last resort of a lookup, below the built-in objects,
    so a registered "mine>Dense" never stands in for the built-in Dense."""
    return {key.split(">", 1)[-1]: value for key, value in GLOBAL_CUSTOM_OBJECTS.items()}


def register_built_ins(kind, objects):
    """A package's own classes by name (kerasish.layers: "layers", kerasish.models: "models")."""
    _BUILT_INS.setdefault(kind, {}).update({name: value for name, value in objects.items() if inspect.isclass(value)})


def built_in(kind, name):
    return _BUILT_INS.get(kind, {}).get(name)
