"""Route each op to the engine that owns its arguments.

Every tensor type registers a rank and an apply function; the highest-ranked argument decides
(static Symbol > symbolic KerasTensor > dynamic Tensor > Variable). Plain arrays and Python numbers
go to the dynamic engine, which computes them eagerly. A Variable goes to the static engine while
a graph is being traced (TRACES is not empty) and to the dynamic engine otherwise. With no autocast, scope or
trace in effect, the usual case, an op is not ranked: it goes to the dynamic engine, which reads its inputs' types
anyway and hands an op on a graph tensor back to `apply_by_rank`.

An engine registers itself here when its module loads (nothing below imports an engine by name):
its tensor type and rank, its apply function in ENGINES, and, for a graph engine, its control flow in
CONTROL_FLOW (what `ops.cond`, `ops.while_loop` and `ops.scan` build on graph tensors) and its
symbolic differentiation in GRADIENTS (what `kerasish.GradientTape` calls for a graph tensor target).
A StatelessScope or SymbolicScope in effect sits in SCOPES and rewrites each op's inputs before the
engine is chosen (a mapped Variable becomes its value; tensors become KerasTensors).
"""

import contextlib

_RANKS = {}
_UNRANKED = (0, None)
ENGINES = {}
CONTROL_FLOW = {}
GRADIENTS = {}
TRACES = []
AUTOCAST = []  # (prim, inputs) -> inputs: a mixed-precision layer reads Variables as its compute dtype
SCOPES = []  # StatelessScope/SymbolicScope in effect, innermost last: each rewrites an op's inputs
VARIABLE_RANK, DYNAMIC_RANK, KERAS_TENSOR_RANK, GRAPH_RANK = 1, 2, 3, 4
TENSOR_TYPES = set()  # the registered types but the Variable's: tensors, whose value no assignment changes
_GRAPH_TYPES = set()  # the types ranked above the dynamic Tensor (KerasTensor, static Symbol)


def register_type(cls, rank, apply_function):
    _RANKS[cls] = (rank, apply_function)
    if rank > VARIABLE_RANK:
        TENSOR_TYPES.add(cls)
    if rank > DYNAMIC_RANK:
        _GRAPH_TYPES.add(cls)


def is_registered(x):
    """Whether `x` is a tensor of some engine (or a Variable)."""
    return type(x) in _RANKS


def is_symbolic(x):
    """Whether `x` is a tensor of a graph being built (a static Symbol): it has no value yet."""
    return _RANKS.get(type(x), _UNRANKED)[0] == GRAPH_RANK


def traced(x):
    """Whether an op on `x` now goes into a static graph (a trace is running, or `x` is a graph tensor): there
    the separate ops stay, which the static plan fuses itself and the exporters read."""
    if TRACES:
        return True
    return _RANKS.get(type(x), _UNRANKED)[0] == GRAPH_RANK  # is_symbolic, inlined: layers ask it per call


def control_flow(leaves):
    """The graph engine's control flow when a trace is running or a graph tensor is among `leaves`;
    None when the loop or branch runs eagerly."""
    if TRACES or any(is_symbolic(leaf) for leaf in leaves):
        return CONTROL_FLOW["static"]
    return None


def engine_apply(name):
    """The apply function of an engine that has registered: the dynamic one loads with kerasish.backends,
    the static one with whatever traces (a trace is running whenever TRACES is not empty)."""
    return ENGINES[name]


def ops_run_as_given():
    """Whether an op now runs eagerly on its inputs as given: no autocast, scope or trace in effect (`apply` tests
    the same inline: it runs for every op)."""
    return not (AUTOCAST or SCOPES or TRACES)


def apply(prim, /, *inputs, **attrs):
    """`prim(*inputs, **attrs)`: run an op where its inputs belong (it is `Primitive.__call__`, so an op call is one
    Python call before its engine's). With no autocast, scope or trace in effect the dynamic engine takes the op at
    once: it reads its inputs' types anyway, and hands an op on a graph tensor to `apply_by_rank`."""
    if AUTOCAST or SCOPES or TRACES:
        return apply_by_rank(prim, inputs, attrs)
    return ENGINES["dynamic"](prim, inputs, attrs)


def apply_by_rank(prim, inputs, attrs):
    """The op after the autocast and the scopes in effect rewrote its inputs, in the engine of the highest-ranked."""
    if AUTOCAST:
        inputs = AUTOCAST[-1](prim, inputs)
    if SCOPES:
        for scope in reversed(SCOPES):
            inputs = scope.rewrite(inputs)
    best, rank = None, 0
    for x in inputs:
        entry = _RANKS.get(type(x))
        if entry is not None and entry[0] > rank:
            rank, best = entry
    if TRACES and rank <= DYNAMIC_RANK and _reads_a_variable(inputs):
        return engine_apply("static")(prim, inputs, attrs)  # a Variable read in a trace belongs in the graph
    if best is None:
        best = ENGINES["dynamic"]
    return best(prim, inputs, attrs)


def has_graph_tensor(inputs):
    """Whether a graph tensor (a KerasTensor or a static Symbol: a type ranked above the dynamic Tensor) is among
    `inputs`."""
    return not _GRAPH_TYPES.isdisjoint(map(type, inputs))


def is_variable(x):
    """Whether `x` is a Variable (the type registered with VARIABLE_RANK)."""
    return _RANKS.get(type(x), _UNRANKED)[0] == VARIABLE_RANK


def _reads_a_variable(inputs):
    return any(is_variable(x) for x in inputs)


def assigned_in_scope(variable, value):
    """Whether a scope in effect (a StatelessScope) took `variable.assign(value)` instead of the variable."""
    return any(scope.assign(variable, value) for scope in reversed(SCOPES))


@contextlib.contextmanager
def outside_scopes():
    """Run a block as if no StatelessScope/SymbolicScope were in effect (a new Variable's initializer:
    its value is real, as Keras initializes variables created in a scope once it is left)."""
    saved = SCOPES[:]
    SCOPES.clear()
    try:
        yield
    finally:
        SCOPES[:0] = saved


def apply_variable(prim, inputs, attrs):
    return engine_apply("static" if TRACES else "dynamic")(prim, inputs, attrs)
