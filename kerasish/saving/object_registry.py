"""Name lookup and Keras-form (de)serialization of losses, metrics, optimizers, schedules,
initializers, regularizers and constraints.

A serialized object reads as in Keras 3: `{"module": "keras.losses", "class_name": "Huber",
"config": {...}, "registered_name": None}`; a plain function is `{"module": ..., "class_name":
"function", "config": "mean_squared_error", "registered_name": "function"}`.
"""
import inspect


def lookup(kind, identifier, objects):
    """The object a string names, or a ValueError listing every valid name."""
    found = objects.get(identifier)
    if found is None:
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. "
                         f"Valid names are: {', '.join(sorted(objects))}")
    return found


def serialize(obj, module):
    if inspect.isfunction(obj):
        return {"module": module, "class_name": "function", "config": obj.__name__,
                "registered_name": "function"}
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def deserialize(kind, config, objects, custom_objects=None):
    """An object from its serialized form (or from a bare name)."""
    objects = {**objects, **(custom_objects or {})}
    if isinstance(config, str):
        return lookup(kind, config, objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not deserialize {kind}: expected a dict with 'class_name' and 'config', "
                         f"received {config!r}")
    if config["class_name"] == "function":
        return lookup(kind, config["config"], objects)
    cls = lookup(kind, config["class_name"], objects)
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
