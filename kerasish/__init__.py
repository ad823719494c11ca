"""kerasish: the Keras API on a dynamic tape or a static graph, over numpy or cupy.

Submodules and the big names load on first use, so `import kerasish` stays cheap and imports
neither cupy nor the engine that is not selected.
"""

import importlib

# rich.style draws from Python's global `random` when it is first imported: imported here, as Keras imports rich,
# so that the first model, summary or table after `set_random_seed` does not shift the seeded initializers
import rich.style  # noqa: F401

from kerasish.backends import Variable
from kerasish.backends.device import device

__version__ = "0.1.0"


def version():
    """kerasish's version, as `keras.version()` gives Keras's."""
    return __version__


_SUBMODULES = (
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "data",
    "datasets",
    "dtype_policies",
    "export",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
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
    "Initializer": "kerasish.initializers",
    "Regularizer": "kerasish.regularizers",
    "InputSpec": "kerasish.layers",
    "KerasTensor": "kerasish.backends.symbolic",
    "Operation": "kerasish.ops.operation",
    "name_scope": "kerasish.backends.name_scope",
    "remat": "kerasish.backends.rematerialization",
    "RematScope": "kerasish.backends.rematerialization",
    "StatelessScope": "kerasish.backends.stateless_scope",
    "SymbolicScope": "kerasish.backends.symbolic_scope",
    "DTypePolicy": "kerasish.dtype_policies",
    "FloatDTypePolicy": "kerasish.dtype_policies",
}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kerasish.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'kerasish' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_NAMES))
