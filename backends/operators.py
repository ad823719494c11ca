"""Python operators (+, @, [], <, ...) for every tensor-like type, mapped onto kerasish.ops."""

from .masks import get_mask, set_mask
from .primitives.registry import ops


def _binary(name, reflected=False):
    """`a + b` is `ops.add(a, b)` (a primitive's call is `dispatch.apply` itself)."""

    if reflected:

        def operator(self, other):
            return getattr(ops, name)(other, self)

    else:

        def operator(self, other):
            return getattr(ops, name)(self, other)

    return operator


class TensorOperators:
    __slots__ = ()
    __array_priority__ = 100

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __truediv__, __rtruediv__ = _binary("divide"), _binary("divide", True)
    __floordiv__, __rfloordiv__ = _binary("floor_divide"), _binary("floor_divide", True)
    __mod__, __rmod__ = _binary("mod"), _binary("mod", True)
    __pow__, __rpow__ = _binary("power"), _binary("power", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __and__, __or__, __xor__ = _binary("logical_and"), _binary("logical_or"), _binary("logical_xor")

    # Keras exposes a layer's output mask as an attribute of the tensor
    _keras_mask = property(get_mask, set_mask)

    def __neg__(self):
        return ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    def __invert__(self):
        return ops.logical_not(self)

    def __getitem__(self, index):
        return ops.getitem(self, index)

    @property
    def T(self):
        return ops.transpose(self)

    @property
    def ndim(self):
        return len(self.shape)

    def reshape(self, *shape):
        return ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def astype(self, dtype):
        return ops.cast(self, dtype)
