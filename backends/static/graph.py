"""Symbols and the Graph that holds them: the nodes of a define-then-run program.

A Symbol is the single output of one node. Its `op` is a Primitive (or a control-flow op) for a
computed node, or None for a leaf: a placeholder, a constant, or a variable read. Symbols carry a
static shape (None for unknown dims) and dtype, inferred when the node is built.
"""
import contextlib
import itertools

import numpy

from ..operators import TensorOperators

class Symbol(TensorOperators):
    __slots__ = ("graph", "kind", "op", "inputs", "attrs", "shape", "dtype", "name", "value", "uid",
                 "__weakref__")

    def __init__(self, graph, kind, op, inputs, attrs, shape, dtype, name=None, value=None):
        self.graph, self.kind, self.op = graph, kind, op
        self.inputs, self.attrs = tuple(inputs), attrs
        self.shape, self.dtype = tuple(shape), dtype
        self.value = value
        self.uid = graph.next_uid()
        self.name = name or f"{op.name if op is not None else kind}_{self.uid}"
        graph.nodes.append(self)

    @property
    def variable(self):
        """The kerasish.Variable a variable-read node reads (None for other nodes)."""
        return self.value if self.kind == "variable" else None

    def __bool__(self):
        raise TypeError(f"Symbol {self.name!r} has no truth value while the graph is built: a Python "
                        f"`if`/`while` on a tensor value cannot be traced; use ops.cond or ops.while_loop")

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of Symbol {self.name!r} with shape {self.shape} is not known statically")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"Symbol {self.name!r} has no value until the graph runs: feed it to a "
                        f"compiled static.function instead of converting it to an array")

    def numpy(self):
        return self.__array__()

    def __eq__(self, other):
        from ..primitives.registry import ops
        return ops.equal(self, other)

    def __ne__(self, other):
        from ..primitives.registry import ops
        return ops.not_equal(self, other)

    __hash__ = object.__hash__

    def __repr__(self):
        dtype = getattr(self.dtype, "name", self.dtype)
        return f"<Symbol {self.name} shape={self.shape} dtype={dtype}>"


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
            node = Symbol(self, "variable", None, (), {}, variable.shape, numpy.dtype(variable.dtype),
                          name=_clean(variable.path), value=variable)
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
        from .display import graph_to_dot
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
    from ..config import floatx
    shape = () if shape is None else tuple(None if d is None else int(d) for d in shape)
    return Symbol(default_graph(), "placeholder", None, (), {}, shape, numpy.dtype(dtype or floatx()), name=name)


def constant(value, dtype=None, name=None):
    """A constant array baked into the graph."""
    from .. import device
    array = numpy.asarray(device.to_numpy(getattr(value, "_data", value)), dtype=dtype)
    if dtype is None and array.dtype == numpy.float64:
        from ..config import floatx
        array = array.astype(floatx())
    return Symbol(default_graph(), "constant", None, (), {}, array.shape, array.dtype, name=name, value=array)


def variable(value, dtype=None, name=None, trainable=True):
    """A kerasish.Variable (the same storage both engines use) and its read node in the default graph."""
    from ..variable import Variable
    if not isinstance(value, Variable):
        value = Variable(value, dtype=dtype, name=name, trainable=trainable)
    return default_graph().variable_node(value)
