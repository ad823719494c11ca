"""KerasTensor: a symbolic tensor with only a shape and a dtype, the currency of the functional API.

An op on KerasTensors runs only its primitive's shape rule, so a model built from `kerasish.Input`
fails at construction with the op, the shapes and (through the layer) the layer's name. Each op
result remembers the `Node` that made it; a functional model replays those nodes on real tensors.
"""

import itertools

import numpy

from . import config, dispatch
from .dtypes import numpy_dtype
from .operators import TensorOperators
from .primitives.registry import dtype_of, result_dtype, shape_of
from .tree import flatten
from .variable import register_assign_hook

_ids = itertools.count()


class Node:
    """One call on symbolic tensors: `operation(*args, **kwargs)` gave the KerasTensors `outputs`.

    The operation is a Layer or a Primitive; both are called the same way when the graph is replayed.
    """

    __slots__ = ("operation", "args", "kwargs", "outputs")

    def __init__(self, operation, args, kwargs, outputs):
        self.operation, self.args, self.kwargs = operation, tuple(args), dict(kwargs)
        self.outputs = list(outputs)
        for index, tensor in enumerate(self.outputs):
            tensor.node, tensor.index = self, index

    @property
    def parents(self):
        """The KerasTensors among the arguments, in argument order."""
        return [x for x in flatten((self.args, self.kwargs)) if isinstance(x, KerasTensor)]

    def __repr__(self):
        name = getattr(self.operation, "name", self.operation)
        return f"<Node {name} ({len(self.parents)} inputs, {len(self.outputs)} outputs)>"


class KerasTensor(TensorOperators):
    """`KerasTensor(shape, dtype="float32", name=None)`: `None` marks an unknown dimension."""

    __slots__ = ("shape", "dtype", "name", "node", "index", "__weakref__")

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = numpy_dtype(dtype)
        uid = next(_ids)
        self.name = name or ("keras_tensor" if uid == 0 else f"keras_tensor_{uid}")
        self.node, self.index = None, 0

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name}>"

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of KerasTensor {self.name} with shape {self.shape} is unknown")
        return self.shape[0]

    def __bool__(self):
        raise TypeError(
            f"KerasTensor {self.name} is symbolic (shape {self.shape}): it has no truth value. "
            "Use kerasish.ops.cond instead of a Python `if` on a tensor value"
        )

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"KerasTensor {self.name} is symbolic (shape {self.shape}) and has no values; "
            "call the model on arrays instead"
        )

    def numpy(self):
        return self.__array__()


def any_symbolic(structure):
    """Whether a KerasTensor is among the leaves; stops at the first (every layer call asks)."""
    if isinstance(structure, dict):
        structure = structure.values()
    elif not isinstance(structure, (list, tuple)):
        return isinstance(structure, KerasTensor)
    for value in structure:
        if any_symbolic(value):
            return True
    return False


def _constant(x):
    """Lists become arrays as in the dynamic engine: floatx, never a float64 by accident."""
    if isinstance(x, (list, tuple)):
        array = numpy.asarray(x)
        return array.astype(config.floatx()) if array.dtype == numpy.float64 else array
    return x


def apply(prim, inputs, attrs):
    inputs = [_constant(x) for x in inputs]
    shape, dtype = prim.infer([shape_of(x) for x in inputs], [dtype_of(x) for x in inputs], **attrs)
    output = KerasTensor(shape, result_dtype(dtype))
    Node(prim, inputs, attrs, [output])
    return output


def _assign(variable, value):
    """Assigning a symbolic value computes nothing; it only checks that the shapes agree."""
    if len(value.shape) != len(variable.shape) or any(
        d is not None and d != v for d, v in zip(value.shape, variable.shape)
    ):
        raise ValueError(
            f"Variable {variable.path!r}: cannot assign a value of shape {value.shape} "
            f"to a variable of shape {variable.shape}"
        )
    return variable


dispatch.register_type(KerasTensor, dispatch.KERAS_TENSOR_RANK, apply)
register_assign_hook(KerasTensor, _assign)
