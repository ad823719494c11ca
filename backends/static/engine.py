"""The static engine's op application: build a node, infer its shape, never compute.

Inputs are converted to symbols of the current graph: Variables become reads (the latest traced
assignment, if any), dynamic Tensors and arrays become constants, Python numbers stay weak scalars
(NEP 50), and symbols of an enclosing graph are captured by a control-flow body.
"""

import numpy

from .. import dispatch
from ..dtypes import as_array, is_foreign_array
from ..primitives.registry import result_dtype
from ..variable import TRACING, Variable, register_assign_hook
from .graph import Symbol, constant, default_graph

_WEAK = (bool, int, float)


def apply(prim, inputs, attrs):
    graph = default_graph()
    symbols = [as_input(x, graph, prim.name) for x in inputs]
    shapes = [getattr(x, "shape", ()) for x in symbols]
    dtypes = [x.dtype if isinstance(x, Symbol) else type(x) for x in symbols]
    shape, dtype = prim.infer(shapes, dtypes, **attrs)
    return Symbol(graph, "op", prim, symbols, attrs, shape, as_dtype(dtype))


def as_dtype(dtype):
    return result_dtype(dtype) if dtype in _WEAK else numpy.dtype(dtype)


def as_input(x, graph, op_name="op"):
    """`x` as a node input of `graph`: a Symbol of that graph, or a weak Python scalar."""
    if isinstance(x, Symbol):
        if x.graph is graph:
            return x
        if any(x.graph is outer for outer in graph.ancestors()):
            return capture(graph, x)
        raise ValueError(
            f"{op_name}: input {x.name!r} belongs to graph {x.graph.name!r}, not to the graph "
            f"being built ({graph.name!r}); symbols of different graphs cannot be mixed"
        )
    if type(x) in _WEAK:
        return x
    if isinstance(x, Variable):
        return graph.read(x) if graph.parent is None else capture(graph, as_input(x, graph.parent, op_name))
    if isinstance(x, (list, tuple)):
        return constant(x)
    if is_foreign_array(x):
        x = as_array(x)
    with graph.as_default():
        return constant(getattr(x, "_data", x), dtype=getattr(x, "dtype", None))


def capture(graph, outer):
    """An outer symbol used inside a control-flow body becomes a placeholder of the body's graph."""
    if outer.graph is not graph.parent:
        outer = capture(graph.parent, outer)
    entry = graph.captures.get(id(outer))
    if entry is None:
        inner = Symbol(graph, "placeholder", None, (), {}, outer.shape, outer.dtype, name=f"capture.{outer.name}")
        graph.captures[id(outer)] = entry = (outer, inner)
    return entry[1]


def assign(variable, value):
    """`variable.assign(symbol)` while tracing: later reads see `value`; the function applies it at the end."""
    graph = value.graph
    if not any(graph is traced for traced in dispatch.TRACES):
        raise ValueError(
            f"Variable {variable.name!r}: assign() of the symbol {value.name!r} is only possible "
            f"inside kerasish.function; with static.function pass updates=[(variable, value)]"
        )
    if len(value.shape) != len(variable.shape) or any(
        d is not None and d != v for d, v in zip(value.shape, variable.shape)
    ):
        raise ValueError(
            f"Variable {variable.name!r}: cannot assign a value of shape {value.shape} "
            f"to a variable of shape {variable.shape}"
        )
    if value.dtype != variable.dtype:
        from ..primitives.registry import ops

        value = ops.cast(value, variable.dtype.name)
    graph.record_assign(variable, value)
    return variable


def assign_constant(variable, value):
    """A plain value assigned while tracing is an update of the traced function, like a symbol."""
    graph = dispatch.TRACES[-1]
    with graph.as_default():
        symbol = constant(getattr(value, "_data", value), dtype=variable.dtype)
    return assign(variable, symbol)


dispatch.register_type(Symbol, dispatch.GRAPH_RANK, apply)
dispatch.ENGINES["static"] = apply
register_assign_hook(Symbol, assign)
register_assign_hook(TRACING, assign_constant)
