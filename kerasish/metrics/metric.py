"""The Metric base class (Keras 3): state in non-trainable Variables, changed only by `assign`.

Because every update is `variable.assign(value computed by ops)`, a metric updated inside a traced
static step becomes part of that graph, and the same code runs eagerly on the dynamic engine.
"""

from kerasish import ops
from kerasish.backend import floatx
from kerasish.backends.variable import Variable
from kerasish.utils.naming import auto_name


class Metric:
    """Subclasses whose values are better high set `_direction = "up"` (low: "down"), which callbacks'
    `mode="auto"` reads, as in Keras."""

    def __init__(self, dtype=None, name=None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = dtype or floatx()
        self._variables = []
        self._metrics = []

    @property
    def dtype(self):
        return self._dtype

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """A non-trainable state Variable filled with zeros (or a number)."""
        fill = 0.0 if initializer in ("zeros", None) else float(initializer)
        variable = Variable(
            lambda shape, dtype: ops.full(shape, fill, dtype=dtype),
            shape=tuple(shape),
            dtype=dtype or self.dtype,
            trainable=False,
            name=name,
        )
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        found = list(self._variables)
        for metric in self._metrics:
            found += metric.variables
        return found

    def reset_state(self):
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
