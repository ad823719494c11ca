"""Softmax over an axis (or several); masked positions get probability 0."""

from kerasish import activations, ops
from kerasish.layers.layer import Layer


def _large_negative_number(dtype):
    return -3e4 if str(dtype) == "float16" else -1e9


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            self._check_mask(inputs.shape, mask.shape)
            if str(mask.dtype) != "bool":
                mask = ops.greater(mask, 0.5)
            inputs = ops.where(mask, inputs, _large_negative_number(inputs.dtype))
        if isinstance(self.axis, (tuple, list)) and len(self.axis) > 1:
            outputs = ops.exp(inputs - ops.logsumexp(inputs, axis=tuple(self.axis), keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (tuple, list)) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, 0.0)
        return outputs

    @staticmethod
    def _check_mask(input_shape, mask_shape):
        broadcastable = len(mask_shape) <= len(input_shape) and all(
            m is None or i is None or m in (1, i) for m, i in zip(mask_shape[::-1], input_shape[::-1])
        )
        if not broadcastable:
            raise ValueError(
                "The `mask` must be broadcastable to `inputs`: each mask dimension must be 1 or match "
                f"the input's. Received: inputs.shape={tuple(input_shape)}, "
                f"mask.shape={tuple(mask_shape)}"
            )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
