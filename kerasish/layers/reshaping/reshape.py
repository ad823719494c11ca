"""Reshape: the non-batch axes to `target_shape` (one entry may be -1)."""

import math
import numbers

from kerasish import ops
from kerasish.layers.layer import Layer


def resolve_target_shape(input_shape, target_shape):
    """`target_shape` with its -1 worked out from the input's non-batch size (None when unknown)."""
    unknown = [i for i, d in enumerate(target_shape) if d == -1]
    if len(unknown) > 1 or any(d < -1 or d == 0 for d in target_shape):
        raise ValueError(
            "There must be at most one unknown dimension (-1) in target_shape and the others must "
            f"be positive. Received: target_shape={target_shape}"
        )
    size = None if None in input_shape[1:] else math.prod(input_shape[1:])
    known = math.prod(d for d in target_shape if d != -1)
    if not unknown:
        if size is not None and size != known:
            raise ValueError(
                f"total size of new array must be unchanged: input shape {tuple(input_shape)} "
                f"cannot be reshaped to target_shape={target_shape}"
            )
        return tuple(target_shape)
    if size is not None and size % known:
        raise ValueError(
            f"The total size of the input ({size}, input shape {tuple(input_shape)}) is not divisible "
            f"by the product of the known dimensions of target_shape={target_shape}"
        )
    filled = None if size is None else size // known
    return tuple(filled if d == -1 else d for d in target_shape)


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (list, tuple)) or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in target_shape
        ):
            raise ValueError(
                f"Reshape: `target_shape` must be a tuple of integers, received target_shape={target_shape!r}"
            )
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, inputs):
        target = resolve_target_shape(inputs.shape, self.target_shape)
        if None in target:
            return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)
        return ops.reshape(inputs, (-1,) + target)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + resolve_target_shape(input_shape, self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
