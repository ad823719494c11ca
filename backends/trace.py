"""`kerasish.function`: one Python step function, run by either engine.

On the dynamic engine the decorated function is simply called. On the static engine the first
call with a given input signature (the structure, shapes and dtypes of the array arguments and
the values of the other arguments) traces the function into a graph: array arguments become
placeholders, Variables are read as graph inputs, `variable.assign(...)` becomes an update. The
graph is compiled once and replayed for every later call with that signature; a new signature
traces again, with a warning that quotes the calling line.
"""

import functools
import warnings

import numpy

from . import config, device, dispatch
from .dynamic.tensor import Tensor
from .tree import flatten_with_spec as _flatten
from .tree import unflatten as _unflatten
from .user_frames import user_stacklevel
from .variable import Variable


def function(func=None, *, engine=None, passes=None):
    """Decorator: `@kerasish.function` or `kerasish.function(step, engine="static")`.

    `engine`: "dynamic" or "static"; None means `kerasish.backend.backend()`.
    `passes`: the static engine's optimisation passes (see `static.function`).
    """

    def wrap(fn):
        return TracedFunction(fn, config._choice("engine", engine or config.backend(), config.BACKENDS), passes)

    return wrap(func) if func is not None else wrap


class TracedFunction:
    def __init__(self, fn, engine, passes):
        self.fn, self.engine, self.passes = fn, engine, passes
        self.traces = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        if self.engine == "dynamic":
            return self.fn(*args, **kwargs)
        leaves, structure = _flatten((args, kwargs))
        specs = tuple(_spec(leaf) for leaf in leaves)
        if _SYMBOLIC in specs:  # called while tracing an enclosing function: just trace through
            return self.fn(*args, **kwargs)
        signature = (structure, specs, device.current())
        trace = self.traces.get(signature)
        if trace is None:
            if self.traces:
                warnings.warn(
                    f"kerasish.function {self.__name__!r} is tracing again for a new input signature "
                    f"{_describe(signature[1])}; each new signature compiles a new graph",
                    stacklevel=user_stacklevel(),
                )
            self.traces[signature] = trace = Trace(self.fn, leaves, structure, self.passes)
        return trace(leaves)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        key = f"_kerasish_function_{id(self)}"  # one set of traces per instance
        bound = instance.__dict__.get(key)
        if bound is None:
            bound = TracedFunction(self.fn.__get__(instance, owner), self.engine, self.passes)
            instance.__dict__[key] = bound
        return bound


class Trace:
    """One input signature: the placeholders, the compiled static function and the output structure."""

    def __init__(self, fn, leaves, structure, passes):
        from .static import Graph, function, placeholder

        graph = Graph(name=getattr(fn, "__name__", "function"))
        self.feeds = [i for i, leaf in enumerate(leaves) if _is_array(leaf)]
        with graph.as_default():
            dispatch.TRACES.append(graph)
            try:
                symbols = list(leaves)
                for i in self.feeds:
                    array = getattr(leaves[i], "_data", leaves[i])
                    symbols[i] = placeholder(array.shape, array.dtype, name=f"input_{i}")
                args, kwargs = _unflatten(structure, symbols)
                result = fn(*args, **kwargs)
            finally:
                dispatch.TRACES.remove(graph)
            outputs, self.structure = _flatten(result)
            self.positions = [i for i, x in enumerate(outputs) if _is_output(x)]
            self.template = outputs  # Python values are returned as they are; computed ones replaced per call
            symbolic = [outputs[i] for i in self.positions]
            self.compiled = function(
                [symbols[i] for i in self.feeds], symbolic, updates=graph.assignments(), passes=passes, name=graph.name
            )
        self.graph = graph

    def __call__(self, leaves):
        arrays = [getattr(leaves[i], "_data", leaves[i]) for i in self.feeds]
        arrays = self.compiled.execute(arrays if self.compiled.device == "cpu" else self.compiled.feed(arrays))
        outputs = list(self.template)
        for position, array in zip(self.positions, arrays):
            outputs[position] = Tensor(array)
        return _unflatten(self.structure, outputs)


def _is_array(x):
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, Variable)


def _is_output(x):
    return _is_array(x) or isinstance(x, Variable) or dispatch.is_symbolic(x)


_SYMBOLIC = ("symbol",)


def _spec(leaf):
    """What of an argument the trace depends on: shape and dtype of arrays, identity of Variables,
    the value of anything else (identity if unhashable)."""
    kind = type(leaf)
    if kind is numpy.ndarray:
        return ("array", leaf.shape, leaf.dtype)
    if kind is Tensor:
        return ("array", leaf._data.shape, leaf._data.dtype)
    if isinstance(leaf, Variable):
        return ("variable", id(leaf))
    if dispatch.is_symbolic(leaf):
        return _SYMBOLIC
    if _is_array(leaf):
        return ("array", tuple(leaf.shape), leaf.dtype)
    try:
        hash(leaf)
    except TypeError:
        return ("object", id(leaf))
    return ("value", kind, leaf)


def _describe(specs):
    return "(" + ", ".join(f"{s[2]}{list(s[1])}" if s[0] == "array" else repr(s[-1]) for s in specs) + ")"
