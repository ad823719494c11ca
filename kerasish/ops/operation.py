"""`keras.Operation`: the base of every callable that takes tensors, layers included.

A subclass writes `call` (and, when running `call` on symbolic tensors cannot tell the result's shape,
`compute_output_spec`); called on KerasTensors it becomes one node of a functional graph, called on
arrays or tensors it computes.
"""

import inspect
import math

from kerasish.backends import rematerialization
from kerasish.backends.stateless_scope import StatelessScope
from kerasish.backends.symbolic import KerasTensor, Node, any_symbolic
from kerasish.backends.symbolic_scope import SymbolicScope
from kerasish.backends.tree import flatten
from kerasish.utils.naming import auto_name


def _simple_value(value):
    return all(isinstance(leaf, (str, int, float, bool, type(None))) for leaf in flatten(value))


class Operation:
    def __new__(cls, *args, **kwargs):
        """Remember the constructor's arguments: `get_config` returns them when they are plain values."""
        instance = super().__new__(cls)
        names = inspect.getfullargspec(cls.__init__).args[1:]
        arguments = {**dict(zip(names, args)), **kwargs}
        instance._auto_config = arguments if _simple_value(arguments) else None
        instance._remat_mode = rematerialization.get_current_remat_mode()  # of the RematScope it is made in
        return instance

    def __init__(self, name=None):
        if name is None:
            name = auto_name(type(self).__name__)
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name} (of type {type(name)})"
            )
        self.name = name

    def __call__(self, *args, **kwargs):
        if any_symbolic((args, kwargs)):
            return self.symbolic_call(*args, **kwargs)
        if self._remat_mode:
            return self.rematerialized_call(self.call, *args, **kwargs)(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, flatten(outputs))
        return outputs

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Operation {type(self).__name__} must implement `call()`")

    def rematerialized_call(self, fn, *args, **kwargs):
        """`fn` (the `call` method), through `remat` when the RematScope this was made in says so for this
        call: "full" always, "larger_than" when the outputs hold more than its threshold of elements."""
        if not self._remat_mode:
            return fn
        if self._remat_mode.mode == "full":
            return rematerialization.remat(fn)
        if self._remat_mode.mode == "larger_than" and rematerialization.checkpoints():
            with StatelessScope(), SymbolicScope():
                spec = fn(*args, **kwargs)
            size = sum(math.prod(d or 1 for d in x.shape) for x in flatten(spec) if isinstance(x, KerasTensor))
            if size > self._remat_mode.output_size_threshold:
                return rematerialization.remat(fn)
        return fn

    def compute_output_spec(self, *args, **kwargs):
        """By default, `call` itself on the symbolic tensors: kerasish's ops then run only their shape rules."""
        return self.call(*args, **kwargs)

    def get_config(self):
        config = {"name": self.name}
        if type(self).get_config is not Operation.get_config:
            return config
        if self._auto_config is None:
            raise NotImplementedError(
                f"Operation {type(self).__name__} was created with arguments that cannot be serialized "
                "automatically; override `get_config()` to return them"
            )
        parameters = inspect.signature(type(self).__init__).parameters
        takes_name = "name" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        return {**(config if takes_name else {}), **self._auto_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
