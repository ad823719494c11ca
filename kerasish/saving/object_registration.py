"""Custom classes and functions known to loading by name: Keras's `register_keras_serializable`.

A registered object is stored under "package>name"; loading also finds it by its bare name, as
Keras does for files that recorded only the class name.
"""
import inspect

GLOBAL_CUSTOM_OBJECTS = {}
GLOBAL_CUSTOM_NAMES = {}


def custom_object_scope(custom_objects):
    """`with custom_object_scope({"MyLayer": MyLayer}):` loads inside the block may use these names."""
    from kerasish.models import serialization
    return serialization.custom_object_scope(custom_objects)


CustomObjectScope = custom_object_scope


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
    return GLOBAL_CUSTOM_NAMES.get(obj, obj.__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    for objects in (custom_objects or {}, registered_objects(), module_objects or {}):
        if name in objects:
            return objects[name]
    return None


def registered_objects(custom_objects=None):
    """Registered objects by "package>name" and by bare name, overridden by `custom_objects`."""
    bare = {key.split(">", 1)[-1]: value for key, value in GLOBAL_CUSTOM_OBJECTS.items()}
    return {**bare, **GLOBAL_CUSTOM_OBJECTS, **(custom_objects or {})}
