"""HostLayer: the base of the preprocessing layers that compute on the host (strings, vocabularies,
hashes): their `call` reads numpy arrays, whatever it is handed (lists, numpy arrays of str or object,
eager Tensors, which are copied to the host), and returns numpy arrays, which the next layer moves to
the engine. On KerasTensors they give only the output's shape and dtype.

A graph traced on the static engine cannot hold strings, so in `fit`, `evaluate` and `predict` a model's
leading host layers run in the data pipeline instead (`host_stage`): each batch passes them on the host
before it reaches the engine, and inside the step (eager or traced) they are the identity.
"""

import contextlib
import contextvars

import numpy

from kerasish.backends.symbolic import KerasTensor
from kerasish.layers.layer import Layer

_APPLIED_BY_PIPELINE = contextvars.ContextVar("host_layers_applied_by_pipeline", default=frozenset())


@contextlib.contextmanager
def applied_by_pipeline(layers):
    """Within the block, calls of `layers` return their input: the data pipeline has applied them."""
    token = _APPLIED_BY_PIPELINE.set(_APPLIED_BY_PIPELINE.get() | {id(layer) for layer in layers})
    try:
        yield
    finally:
        _APPLIED_BY_PIPELINE.reset(token)


def host_array(x, describe):
    """`x` as a numpy array on the host; a tensor of a traced graph (no value yet) is an error."""
    if isinstance(x, numpy.ndarray):
        return x
    if hasattr(x, "numpy"):
        try:
            return numpy.asarray(x.numpy())
        except Exception as error:
            raise ValueError(
                f"{describe()} computes on the host and cannot run inside a traced graph (received "
                f"{type(x).__name__}); put it first in the model, where fit/evaluate/predict apply it to "
                "each batch in the data pipeline, or apply it to the data before the model"
            ) from error
    return numpy.asarray(x)


class HostLayer(Layer):
    def __call__(self, *args, **kwargs):
        if id(self) in _APPLIED_BY_PIPELINE.get():
            return args[0] if args else next(iter(kwargs.values()))
        return super().__call__(*args, **kwargs)

    def _convert_input(self, x):
        if isinstance(x, KerasTensor) or x is None:
            return x
        if isinstance(x, (list, tuple, str, bytes, int, float)) or hasattr(x, "shape"):
            return host_array(x, self.describe)
        return x
