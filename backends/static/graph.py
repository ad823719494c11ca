"""The Graph that holds the Symbols (symbol.py) of a define-then-run program, and the functions
that add nodes to the current graph."""

import contextlib
import itertools

import numpy

from .. import device
from ..config import floatx
from ..variable import Variable
from .display import graph_to_dot
from .symbol import Symbol


class Graph:
    """A container of symbols. `with graph.as_default():` makes new symbols go into it.

    A graph opened inside another (a control-flow body) captures the outer symbols it uses as
    extra inputs: `captures` maps id(outer symbol) to (outer symbol, inner placeholder).
    """

    def __init__(self, parent=None, name=None):
        self.parent = parent
        self.name = name or "graph"
        self.nodes = []
        self.captures = {}
        self._variables = {}
        self._current = {}
        self._uids = itertools.count()

    def next_uid(self):
        return next(self._uids)

    @contextlib.contextmanager
    def as_default(self):
        _STACK.append(self)
        try:
            yield self
        finally:
            _STACK.remove(self)

    def ancestors(self):
        graph = self.parent
        while graph is not None:
            yield graph
            graph = graph.parent

    # variables: one read node per Variable and graph; assignments in a trace change what later reads see

    def variable_node(self, variable):
        node = self._variables.get(id(variable))
        if node is None:
            node = Symbol(
                self,
                "variable",
                None,
                (),
                {},
                variable.shape,
                numpy.dtype(variable.dtype),
                name=_clean(variable.path),
                value=variable,
            )
            self._variables[id(variable)] = node
        return node

    def read(self, variable):
        """The symbol a read of `variable` gives now: its latest traced assignment, else its node."""
        current = self._current.get(id(variable))
        return current[1] if current is not None else self.variable_node(variable)

    def record_assign(self, variable, value):
        self._current[id(variable)] = (variable, value)

    def assignments(self):
        """(variable, final value symbol) for every variable assigned while this graph was traced."""
        return list(self._current.values())

    def to_dot(self, outputs=None):
        return graph_to_dot(self, outputs)


_STACK = []
_DEFAULT = Graph(name="default")


def default_graph():
    return _STACK[-1] if _STACK else _DEFAULT


def _clean(name):
    return str(name).replace("/", ".")


def placeholder(shape=None, dtype=None, name=None):
    """A graph input, fed when the compiled function runs; None dims take any size.

    `shape=None` means a scalar; pass a tuple such as `(None, 784)` for a batch of vectors.
    """
    shape = () if shape is None else tuple(None if d is None else int(d) for d in shape)
    return Symbol(default_graph(), "placeholder", None, (), {}, shape, numpy.dtype(dtype or floatx()), name=name)


def constant(value, dtype=None, name=None):
    """A constant array baked into the graph."""
    array = numpy.asarray(device.to_numpy(getattr(value, "_data", value)), dtype=dtype)
    if dtype is None and array.dtype == numpy.float64:
        array = array.astype(floatx())
    return Symbol(default_graph(), "constant", None, (), {}, array.shape, array.dtype, name=name, value=array)


def variable(value, dtype=None, name=None, trainable=True):
    """A kerasish.Variable (the same storage both engines use) and its read node in the default graph."""
    if not isinstance(value, Variable):
        value = Variable(value, dtype=dtype, name=name, trainable=trainable)
    return default_graph().variable_node(value)
