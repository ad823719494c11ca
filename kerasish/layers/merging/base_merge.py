"""Merge: the base of the layers that combine a list of tensors (Add, Concatenate, Dot, ...)."""

from kerasish import ops
from kerasish.layers.layer import Layer


def broadcast_shape(first, second):
    """Numpy broadcasting of two shapes with None for unknown sizes; names both on a mismatch."""
    first, second = tuple(first), tuple(second)
    width = max(len(first), len(second))
    first, second = (1,) * (width - len(first)) + first, (1,) * (width - len(second)) + second
    result = []
    for a, b in zip(first, second):
        if a is None or b is None:
            result.append(b if a in (None, 1) else a)
        elif a == 1 or b == 1 or a == b:
            result.append(max(a, b))
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {first} and {second}")
    return tuple(result)


class Merge(Layer):
    """Subclasses define `merge_function(inputs)` over a list of at least `minimum_inputs` tensors."""

    minimum_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def check_inputs(self, input_shape):
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not isinstance(input_shape[0], (list, tuple))
        ):
            raise ValueError(
                f"A merge layer should be called on a list of inputs. Received: input_shape="
                f"{input_shape} (not a list of shapes)"
            )
        if len(input_shape) < self.minimum_inputs:
            raise ValueError(
                f"A merge layer should be called on a list of at least {self.minimum_inputs} "
                f"inputs. Got {len(input_shape)} inputs. Full input_shape received: {input_shape}"
            )

    def build(self, input_shape):
        self.check_inputs(input_shape)
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return self.merge_function(list(inputs))

    def compute_output_shape(self, input_shape):
        self.check_inputs(input_shape)
        shape = tuple(input_shape[0])
        for other in input_shape[1:]:
            shape = broadcast_shape(shape, other)
        return shape

    def compute_mask(self, inputs, previous_mask):
        """The OR of the inputs' masks (None when one input has none), as Keras."""
        if previous_mask is None or any(m is None for m in previous_mask):
            return None
        output_mask = previous_mask[0]
        for mask in previous_mask[1:]:
            output_mask = ops.logical_or(output_mask, mask)
        return output_mask
