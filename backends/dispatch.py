"""Route each op to the engine that owns its arguments.

Every tensor type registers a rank and an apply function; the highest-ranked argument decides
(static Symbol > symbolic KerasTensor > dynamic Tensor > Variable). Plain arrays and Python numbers
go to the dynamic engine, which computes them eagerly. A Variable goes to the static engine while
a graph is being traced (TRACES is not empty) and to the dynamic engine otherwise.
"""
import importlib

_RANKS = {}
ENGINES = {}
TRACES = []


def register_type(cls, rank, apply_function):
    _RANKS[cls] = (rank, apply_function)


def is_registered(x):
    """Whether `x` is a tensor of some engine (or a Variable)."""
    return type(x) in _RANKS


def engine_apply(name):
    function = ENGINES.get(name)
    if function is None:
        importlib.import_module(f"{__package__}.{name}.engine")
        function = ENGINES[name]
    return function


VARIABLE_RANK, DYNAMIC_RANK = 1, 2


def apply(prim, inputs, attrs):
    best, rank = None, 0
    for x in inputs:
        entry = _RANKS.get(type(x))
        if entry is not None and entry[0] > rank:
            rank, best = entry
    if TRACES and rank <= DYNAMIC_RANK and _reads_a_variable(inputs):
        return engine_apply("static")(prim, inputs, attrs)  # a Variable read in a trace belongs in the graph
    if best is None:
        best = ENGINES.get("dynamic") or engine_apply("dynamic")
    return best(prim, inputs, attrs)


def _reads_a_variable(inputs):
    return any(_RANKS.get(type(x), (0,))[0] == VARIABLE_RANK for x in inputs)


def apply_variable(prim, inputs, attrs):
    return engine_apply("static" if TRACES else "dynamic")(prim, inputs, attrs)
