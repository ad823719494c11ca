"""kerasish: the Keras API on a dynamic tape or a static graph, over numpy or cupy.

Submodules and the big names load on first use, so `import kerasish` stays cheap and imports
neither cupy nor the engine that is not selected.
"""

import importlib

from kerasish.backends import Variable
from kerasish.backends.device import device

__version__ = "0.1.0"

_SUBMODULES = (
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "data",
    "datasets",
    "export",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "saving",
    "tree",
    "utils",
)
_NAMES = {
    "GradientTape": "kerasish.backends.gradient_tape",
    "function": "kerasish.backends.trace",
    "Input": "kerasish.layers",
    "Layer": "kerasish.layers",
    "Model": "kerasish.models",
    "Sequential": "kerasish.models",
    "Loss": "kerasish.losses",
    "Metric": "kerasish.metrics",
    "Optimizer": "kerasish.optimizers",
    "Function": "kerasish.backends.custom_gradient",
    "no_grad": "kerasish.backends.dynamic",
    "stop_gradient": "kerasish.ops",
}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kerasish.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'kerasish' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_NAMES))
