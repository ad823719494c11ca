"""Symbol: the single output of one node of a define-then-run program (see graph.py for the Graph).

Its `op` is a Primitive (or a control-flow op) for a computed node, or None for a leaf: a
placeholder, a constant, or a variable read. Symbols carry a static shape (None for unknown dims)
and dtype, inferred when the node is built.
"""

from ..operators import TensorOperators
from ..primitives.registry import ops


class Symbol(TensorOperators):
    __slots__ = ("graph", "kind", "op", "inputs", "attrs", "shape", "dtype", "name", "value", "uid", "__weakref__")

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
        raise TypeError(
            f"Symbol {self.name!r} has no truth value while the graph is built: a Python "
            f"`if`/`while` on a tensor value cannot be traced; use ops.cond or ops.while_loop"
        )

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of Symbol {self.name!r} with shape {self.shape} is not known statically")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"Symbol {self.name!r} has no value until the graph runs: feed it to a "
            f"compiled static.function instead of converting it to an array"
        )

    def numpy(self):
        return self.__array__()

    def __eq__(self, other):
        return ops.equal(self, other)

    def __ne__(self, other):
        return ops.not_equal(self, other)

    __hash__ = object.__hash__

    def __repr__(self):
        dtype = getattr(self.dtype, "name", self.dtype)
        return f"<Symbol {self.name} shape={self.shape} dtype={dtype}>"


def components(node):
    """{index: component symbol} of a tuple node (a control-flow op's several outputs)."""
    return node.value
