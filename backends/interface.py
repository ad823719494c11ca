"""The Engine contract: what the Keras layer (layers, models, the trainer) may ask of an engine.

    engine = interface.get("static")          # or "dynamic"
    engine.convert_to_tensor(array)           # an array as this engine's tensor
    engine.is_tensor(x)
    engine.apply(primitive, inputs, attrs)    # run / record one primitive
    engine.gradient(target, sources)          # the gradients of target with respect to sources
    engine.make_train_function(model)         # model.train_step, ready to call once per batch

A step function (`model.train_step(data)`, written with GradientTape, ops and Variable.assign) is
called directly by the dynamic engine, and traced once per input signature, then replayed, by the
static engine (`kerasish.function(step, engine="static")`).
"""
import importlib

import numpy

from . import config, device, dispatch
from .trace import function


class Engine:
    def __init__(self, name):
        self.name = config._choice("engine", name, config.BACKENDS)

    def __repr__(self):
        return f"<Engine {self.name} on {self.device}>"

    @property
    def device(self):
        return device.current()

    @property
    def tensor_type(self):
        if self.name == "dynamic":
            return importlib.import_module(f"{__package__}.dynamic").Tensor
        return importlib.import_module(f"{__package__}.static").Symbol

    def convert_to_tensor(self, x, dtype=None):
        """A tensor of this engine: an eager Tensor, or a constant of the graph being built."""
        if self.is_tensor(x) and (dtype is None or numpy.dtype(x.dtype) == numpy.dtype(dtype)):
            return x
        array = getattr(x, "_data", x)
        if not device.is_cupy(array):
            array = numpy.asarray(array, dtype=dtype)
            if dtype is None and array.dtype == numpy.float64:
                array = array.astype(config.floatx())
        elif dtype is not None:
            array = array.astype(dtype)
        if self.name == "static":
            return importlib.import_module(f"{__package__}.static").constant(array)
        return self.tensor_type(device.to_device(array))

    def is_tensor(self, x):
        return isinstance(x, self.tensor_type)

    def apply(self, primitive, inputs, attrs):
        return dispatch.engine_apply(self.name)(primitive, inputs, attrs)

    def gradient(self, target, sources):
        """Static: symbolic gradients of the graph. Dynamic: from the innermost recording GradientTape."""
        if self.name == "static":
            return importlib.import_module(f"{__package__}.static").gradients(target, sources)
        tapes = importlib.import_module(f"{__package__}.dynamic.tape").RECORDING
        if not tapes:
            raise RuntimeError("Engine 'dynamic': gradient() needs the target to be computed inside a "
                               "kerasish.GradientTape")
        return tapes[-1].gradient(target, sources)

    def compile(self, step):
        """A step function as this engine runs it: called as is, or traced and replayed."""
        return step if self.name == "dynamic" else function(step, engine="static")

    def make_train_function(self, model):
        return self.compile(model.train_step)

    def make_test_function(self, model):
        return self.compile(model.test_step)

    def make_predict_function(self, model):
        return self.compile(model.predict_step)


_ENGINES = {}


def get(name=None):
    """The engine called `name` ("dynamic" or "static"); None means kerasish.backend.backend()."""
    name = name or config.backend()
    engine = _ENGINES.get(name)
    if engine is None:
        _ENGINES[name] = engine = Engine(name)
    return engine
