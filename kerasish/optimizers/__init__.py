"""kerasish.optimizers: Keras 3's optimizers (names, defaults and update rules) and `schedules`."""

from kerasish.utils import object_serialization as registry
from kerasish.utils.object_registration import register_built_ins

from . import legacy, schedules
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .loss_scale_optimizer import LossScaleOptimizer
from .multi_optimizer import MultiOptimizer, OptimizerMap
from .muon import Muon
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedule_free_adamw import ScheduleFreeAdamW
from .sgd import SGD

ALL_OBJECTS = (
    Optimizer,
    Adam,
    SGD,
    RMSprop,
    Adadelta,
    AdamW,
    Adagrad,
    Adamax,
    Nadam,
    Adafactor,
    Ftrl,
    Lamb,
    Lion,
    Muon,
    ScheduleFreeAdamW,
    LossScaleOptimizer,
    MultiOptimizer,
)
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


__all__ = [cls.__name__ for cls in ALL_OBJECTS] + [
    "OptimizerMap",
    "deserialize",
    "get",
    "legacy",
    "schedules",
    "serialize",
]

register_built_ins("optimizers", {cls.__name__: cls for cls in ALL_OBJECTS})
