"""`kerasish.Input` and `InputLayer`: where a functional model's graph starts."""

import numbers

from kerasish.backends.symbolic import KerasTensor, Node
from kerasish.layers.layer import Layer


def standardize_shape(shape, name):
    """A shape as a tuple of positive ints and Nones (unknown sizes), as Keras's `standardize_shape` makes
    it; an axis of size 0 or less, or a size that is not an int, is an error quoting the shape."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(
            f"InputLayer '{name}': cannot convert '{shape!r}' to a shape: expected a tuple of "
            "integers or None, such as (28, 28, 1)"
        )
    shape = tuple(shape)
    for dimension in shape:
        if dimension is None:
            continue
        if not isinstance(dimension, numbers.Integral) or isinstance(dimension, bool):
            raise ValueError(
                f"InputLayer '{name}': cannot convert '{shape}' to a shape. Found invalid dimension "
                f"'{dimension!r}' of type '{type(dimension).__name__}'"
            )
        if dimension < 1:
            raise ValueError(
                f"InputLayer '{name}': cannot convert '{shape}' to a shape. "
                f"{'Negative' if dimension < 0 else 'Zero'} dimensions are not allowed"
            )
    return tuple(None if d is None else int(d) for d in shape)


class InputLayer(Layer):
    """`InputLayer(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
    input_tensor=None, optional=False, name=None)`; its output is a KerasTensor."""

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        **kwargs,
    ):
        kwargs.pop("ragged", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError(f"InputLayer '{self.name}': sparse inputs are not supported by kerasish")
        if shape is not None and batch_shape is not None:
            raise ValueError(
                f"InputLayer '{self.name}': you cannot pass both `shape` and `batch_shape` "
                f"at the same time (shape={shape}, batch_shape={batch_shape})"
            )
        if batch_size is not None and (
            not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1
        ):
            raise ValueError(
                f"InputLayer '{self.name}': `batch_size` must be a positive integer or None, "
                f"received batch_size={batch_size!r}"
            )
        if batch_shape is None:
            if shape is None and input_tensor is None:
                raise ValueError(f"InputLayer '{self.name}': you must pass a `shape` argument")
            batch_shape = (
                (batch_size,) + standardize_shape(shape, self.name) if shape is not None else tuple(input_tensor.shape)
            )
        self.batch_shape = standardize_shape(batch_shape, self.name)
        self.sparse = False
        self.optional = optional
        if input_tensor is None:
            input_tensor = KerasTensor(self.batch_shape, dtype=self.dtype)
        elif not isinstance(input_tensor, KerasTensor):
            raise ValueError(
                f"InputLayer '{self.name}': argument `input_tensor` must be a KerasTensor, "
                f"received {type(input_tensor).__name__}"
            )
        self._inbound_nodes.append(Node(self, (), {}, [input_tensor]))
        self.built = True

    def get_config(self):
        return {
            "batch_shape": self.batch_shape,
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    ragged=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
):
    """A symbolic KerasTensor of `shape` (without the batch axis), the start of a functional model."""
    if ragged:
        raise ValueError("Input: ragged tensors are not supported by kerasish")
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
    return layer.output
