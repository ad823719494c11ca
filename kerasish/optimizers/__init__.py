"""kerasish.optimizers: Keras 3's optimizers (names, defaults and update rules) and `schedules`."""

from kerasish.utils import object_serialization as registry

from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

ALL_OBJECTS = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Nadam)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer):
    return registry.serialize(optimizer, "keras.optimizers")


def deserialize(config, custom_objects=None):
    """An optimizer from its serialized form; class names match case-insensitively, as in Keras."""
    objects = {**{cls.__name__: cls for cls in ALL_OBJECTS}, **ALL_OBJECTS_DICT}
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        config = {
            **config,
            "class_name": config["class_name"] if config["class_name"] in objects else config["class_name"].lower(),
        }
    return registry.deserialize("optimizer", config, objects, custom_objects)


def get(identifier):
    """An optimizer from an Optimizer, a config dict or a name ("adam", "SGD", ...: case-insensitive)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return registry.lookup("optimizer", identifier.lower(), ALL_OBJECTS_DICT)()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


__all__ = [cls.__name__ for cls in ALL_OBJECTS] + ["deserialize", "get", "schedules", "serialize"]
