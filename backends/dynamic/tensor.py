"""The eager Tensor: an xp array with Python operators that go through kerasish.ops."""

from .. import device
from ..operators import TensorOperators
from ..primitives.registry import ops


class Tensor(TensorOperators):
    """`shape` and `dtype` are its array's, kept as attributes: they are read more often than tensors are made, and
    a numpy array builds its shape tuple anew at each read."""

    __slots__ = ("_data", "shape", "dtype", "_serial", "__weakref__")

    def __init__(self, data):
        self._data, self.shape, self.dtype = data, data.shape, data.dtype
        self._serial = None  # the number a tape names it by, given when a tape first records it

    @property
    def value(self):
        return self._data

    def numpy(self):
        return device.to_numpy(self._data)

    def item(self):
        return self._data.item()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __len__(self):
        if not self._data.ndim:
            raise TypeError("len() of a 0-d Tensor")
        return self._data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __float__(self):
        return float(self.numpy())  # an explicit host transfer (cupy arrays refuse float() of themselves)

    def __int__(self):
        return int(self.numpy())

    def __index__(self):
        return int(self.numpy())

    def __bool__(self):
        return bool(self.numpy())

    def __eq__(self, other):
        return ops.equal(self, other)

    def __ne__(self, other):
        return ops.not_equal(self, other)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<Tensor shape={self.shape} dtype={self.dtype.name}\n{self.numpy()!r}>"
