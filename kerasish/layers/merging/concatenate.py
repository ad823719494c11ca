"""Concatenate: joins a list of tensors along `axis`; `concatenate(inputs, axis=-1, **kwargs)` is its
functional form."""

from kerasish import ops
from kerasish.layers.merging.base_merge import Merge


class Concatenate(Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self.check_inputs(input_shape)
        rank = len(input_shape[0])
        axis = self.axis % rank
        mismatch = ValueError(
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={input_shape}"
        )
        if any(len(shape) != rank for shape in input_shape):
            raise mismatch
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            for i, (a, b) in enumerate(zip(output, shape)):
                if i == axis:
                    output[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise mismatch
                elif a is None:
                    output[i] = b
        return tuple(output)

    def merge_function(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, previous_mask):
        """Each input's mask (all True where it has none), concatenated, then any() over the last axis."""
        if previous_mask is None or all(m is None for m in previous_mask):
            return None
        masks = []
        for x, mask in zip(inputs, previous_mask):
            if mask is None:
                mask = ops.ones_like(x, dtype="bool")
            elif len(mask.shape) < len(x.shape):
                mask = ops.logical_or(ops.expand_dims(mask, -1), ops.zeros_like(x, dtype="bool"))
            masks.append(mask)
        return ops.any(ops.concatenate(masks, axis=self.axis), axis=-1, keepdims=False)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
