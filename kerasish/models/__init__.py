"""kerasish.models: Model (functional or subclassed) and Sequential.

`load_model` and `save_model` (Keras's names here) and the weight-file functions that `Model.save`,
`save_weights` and `load_weights` call live in `kerasish.saving`, which reads models: they load on
first use, the one reference from models to saving (listed in tools/import_contract.py).
"""

import importlib

from kerasish.models.cloning import clone_model
from kerasish.models.functional import Functional
from kerasish.models.model import Model, model_from_json
from kerasish.models.sequential import Sequential
from kerasish.utils.object_registration import register_built_ins

register_built_ins("models", {"Functional": Functional, "Model": Model, "Sequential": Sequential})

_FILE_FUNCTIONS = {
    "load_model": "kerasish.saving.saving_api",
    "save_model": "kerasish.saving.saving_api",
    "load_weights": "kerasish.saving.saving_api",
    "save_weights": "kerasish.saving.saving_api",
}
__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]


def __getattr__(name):
    if name in _FILE_FUNCTIONS:
        globals()[name] = value = getattr(importlib.import_module(_FILE_FUNCTIONS[name]), name)
        return value
    raise AttributeError(f"module 'kerasish.models' has no attribute {name!r}")
