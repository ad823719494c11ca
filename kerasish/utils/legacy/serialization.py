"""Keras 2's object (de)serialization: `{"class_name": name, "config": config}`, nested objects marked
`"__passive_serialization__"`, functions by their registered name. Names are looked up in the one
registry (`object_registration`) and the `module_objects` the caller passes; nothing is imported by name.
"""

import inspect

from kerasish.utils.object_registration import CustomObjectScope, get_registered_name, get_registered_object

PASSIVE = "__passive_serialization__"


def serialize_keras_object(instance):
    """A JSON-compatible form of `instance`: its class's registered name and its `get_config()` (nested
    objects serialized in turn), or, for a function or class, its registered name."""
    instance = inspect.unwrap(instance)
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
            except ValueError:
                config[key] = item
                continue
            if isinstance(serialized, dict) and not isinstance(item, dict):
                serialized[PASSIVE] = True
            config[key] = serialized
        return {"class_name": get_registered_name(instance.__class__), "config": config}
    if hasattr(instance, "__name__"):
        return get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


def _unknown(printable_module_name, name):
    return ValueError(
        f"Unknown {printable_module_name}: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope, or decorate it "
        "with `@kerasish.saving.register_keras_serializable()`."
    )


def _class_and_config(config, module_objects, custom_objects, printable_module_name):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            f"Improper config format for {config}. Expecting python dict contains `class_name` and `config` as keys"
        )
    cls = get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise _unknown(printable_module_name, config["class_name"])
    class_config = config["config"]
    if isinstance(class_config, list):
        return cls, class_config
    class_config = dict(class_config)
    for key, item in class_config.items():
        if key == "name":
            continue
        if isinstance(item, dict) and PASSIVE in item:
            class_config[key] = deserialize_keras_object(item, module_objects, custom_objects, "config_item")
        elif isinstance(item, str) and inspect.isfunction(get_registered_object(item, custom_objects, module_objects)):
            class_config[key] = get_registered_object(item, custom_objects, module_objects)
    return cls, class_config


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None, printable_module_name="object"):
    """The object a Keras 2 serialized form stands for. Names are found among `custom_objects`, the
    `custom_object_scope`s in force, the registered objects, then `module_objects` (the built-in objects
    a caller offers: unlike `kerasish.saving.deserialize_keras_object`, this function knows none itself).
    A name found as a class is instantiated with no arguments."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, config = _class_and_config(identifier, module_objects, custom_objects, printable_module_name)
        custom_objects = custom_objects or {}
        if hasattr(cls, "from_config"):
            if "custom_objects" in inspect.signature(cls.from_config).parameters:
                return cls.from_config(config, custom_objects=custom_objects)
            with CustomObjectScope(custom_objects):
                return cls.from_config(config)
        with CustomObjectScope(custom_objects):
            return cls(**config)
    if isinstance(identifier, str):
        found = get_registered_object(identifier, custom_objects, module_objects)
        if found is None:
            raise _unknown(printable_module_name, identifier)
        return found() if inspect.isclass(found) else found
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")
