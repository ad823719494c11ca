"""An ONNX graph built from a traced inference graph: names, initializers, nodes and layouts.

Each graph value is an ONNX tensor name plus a layout: `perm` says how the stored (physical) tensor
is laid out against the logical one kerasish computes (physical = transpose(logical, perm); None is
the identity). Convolutions and pools want channels first, so they store their results that way, and
ops that do not care about the layout (elementwise ops, reductions over known axes, kerasish's own
transposes) carry it along. A Transpose node appears only where an op needs another layout: around
the model's edges and before a flatten, not around every convolution.
"""

import numpy

from .errors import UnmappedOperationError


def onnx():
    """The onnx package (the optional extra `kerasish[onnx]`)."""
    try:
        import onnx as package
    except ImportError:
        raise ImportError(
            "Exporting to ONNX needs the `onnx` package: pip install 'kerasish[onnx]' (or pip install onnx)"
        ) from None
    return package


def compose(first, second):
    """The perm of transpose(transpose(a, first), second)."""
    return tuple(first[i] for i in second)


def inverse(perm):
    result = [0] * len(perm)
    for position, axis in enumerate(perm):
        result[axis] = position
    return tuple(result)


def identity(perm):
    return perm is None or tuple(perm) == tuple(range(len(perm)))


class Value:
    """An ONNX tensor name and its stored layout (None: kerasish's own)."""

    __slots__ = ("name", "perm")

    def __init__(self, name, perm=None):
        self.name, self.perm = name, None if perm is None or identity(perm) else tuple(perm)


class OnnxGraph:
    """The ONNX nodes and initializers of one exported function, filled by the operator converters."""

    def __init__(self, traced, opset_version, name, converters):
        self.traced, self.opset_version, self.name, self.converters = traced, opset_version, name, converters
        self.nodes, self.initializers = [], []
        self.values = {}
        self._names = set()
        self._small_constants = {}
        self._deferred = {}
        self.known = {}  # id(body parameter) -> the constant array it receives from the enclosing graph

    def child(self, traced, name):
        """The graph of a loop body: its own nodes and values; names and initializers shared with this
        graph, whose values the body reads from the outer scope."""
        body = OnnxGraph(traced, self.opset_version, name, self.converters)
        body.initializers, body._names, body._small_constants = self.initializers, self._names, self._small_constants
        return body

    def convert_all(self, nodes):
        """Convert `nodes` (inputs first); an op without a converter is an error, raised before any of them
        is converted."""
        for node in nodes:
            if node.kind == "op" and node.op not in self.converters:
                raise self.unmapped(node)
        for node in nodes:
            if node.kind == "op":
                self.converters[node.op](self, node)

    # ---- names and constants --------------------------------------------------------------

    def fresh(self, hint):
        hint = "".join(c if c.isalnum() or c in "._" else "_" for c in str(hint)) or "value"
        name, count = hint, 0
        while name in self._names:
            count += 1
            name = f"{hint}_{count}"
        self._names.add(name)
        return name

    def constant(self, array, hint="const"):
        """An initializer holding `array`; small ones (scalars, axes, shapes) are shared."""
        array = numpy.asarray(array)
        key = None
        if array.size <= 16:
            key = (array.dtype.str, array.shape, array.tobytes())
            if key in self._small_constants:
                return self._small_constants[key]
        name = self.fresh(hint)
        self.initializers.append(onnx().numpy_helper.from_array(numpy.array(array, order="C"), name))  # 0-d stays 0-d
        if key is not None:
            self._small_constants[key] = name
        return name

    def ints(self, values):
        return self.constant(numpy.asarray(values, dtype=numpy.int64), "ints")

    def node(self, op_type, inputs, hint, outputs=1, **attributes):
        """Add one ONNX node; its output name (or names)."""
        names = [self.fresh(hint if outputs == 1 else f"{hint}_{i}") for i in range(outputs)]
        self.nodes.append(
            onnx().helper.make_node(op_type, list(inputs), names, name=self.fresh(f"{hint}_{op_type}"), **attributes)
        )
        return names[0] if outputs == 1 else names

    # ---- values and layouts -----------------------------------------------------------------

    def set(self, symbol, name, perm=None):
        self.values[id(symbol)] = Value(name, perm)

    def value(self, x):
        """The Value of a graph node (converted now if it was deferred)."""
        value = self.values.get(id(x))
        if value is None:
            self._deferred.pop(id(x))()
            value = self.values[id(x)]
        return value

    def defer(self, node, convert):
        """Convert `node` only when another op reads it (windows that a pool reads as a whole are never
        emitted)."""
        self._deferred[id(node)] = lambda: convert(self, node)

    def array(self, x, dtype=None):
        """The numpy value of a constant input (a constant symbol or a Python number), else None."""
        if isinstance(x, (bool, int, float)):
            return numpy.asarray(x, dtype=dtype)
        value = x.value if getattr(x, "kind", None) == "constant" else self.known.get(id(x))
        if value is None:
            return None
        return numpy.asarray(value) if dtype is None else numpy.asarray(value, dtype=dtype)

    def logical(self, x, dtype=None):
        """x's ONNX name in kerasish's own layout (a Transpose added when it is stored otherwise)."""
        constant = self.array(x, dtype)
        if constant is not None:
            return self.constant(constant)
        value = self.value(x)
        if value.perm is None:
            return value.name
        return self.layout(x, None)

    def layout(self, x, perm):
        """x's ONNX name stored as transpose(logical, perm) (perm None: logical)."""
        rank = len(x.shape)
        want = tuple(range(rank)) if perm is None else tuple(perm)
        constant = self.array(x)
        if constant is not None:
            return self.constant(numpy.transpose(constant, want))
        value = self.value(x)
        current = tuple(range(rank)) if value.perm is None else value.perm
        if current == want:
            return value.name
        key = ("layout", id(x), want)
        cached = self.values.get(key)
        if cached is None:
            steps = tuple(current.index(axis) for axis in want)
            cached = Value(self.node("Transpose", [value.name], f"{value.name}_t", perm=list(steps)))
            self.values[key] = cached
        return cached.name

    def perm_of(self, x):
        """How x is stored (None: kerasish's own layout, and for constants, which are laid out on use)."""
        return None if self.array(x) is not None else self.value(x).perm

    # ---- errors ---------------------------------------------------------------------------

    def unmapped(self, node, why=None):
        layer = self.traced.layer_of.get(node.name)
        return UnmappedOperationError(node, layer, why)
