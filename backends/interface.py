"""The Engine: how the Keras layer (the trainer, `check_engines_agree`) runs a model's step on an engine.

    engine = interface.get("static")          # or "dynamic"
    engine.compile(step)                      # the step as this engine runs it
    engine.make_train_function(model)         # model.train_step, ready to call once per batch

A step function (`model.train_step(data)`, written with GradientTape, ops and Variable.assign) is
called directly by the dynamic engine, and traced once per input signature, then replayed, by the
static engine (`kerasish.function(step, engine="static")`). Ops reach an engine through
`dispatch.apply` (by the type of their arguments), and gradients through `kerasish.GradientTape`,
not through this object.
"""

from . import config, device
from .trace import function


class Engine:
    def __init__(self, name):
        self.name = config._choice("engine", name, config.BACKENDS)

    def __repr__(self):
        return f"<Engine {self.name} on {self.device}>"

    @property
    def device(self):
        return device.current()

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
