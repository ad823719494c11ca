"""Dot: the per-example dot product of two tensors along the given axes (Keras's batch_dot);
`dot(inputs, axes=-1, **kwargs)` is its functional form (`normalize=` among the kwargs, as in Keras)."""

import math

from kerasish import ops
from kerasish.backend import epsilon as backend_epsilon
from kerasish.layers.merging.base_merge import Merge


def l2_normalize(x, axis, epsilon=None):
    """x over its L2 norm along `axis` (an int or a list of ints), the norm floored at `epsilon`: Keras's
    `ops.normalize(order=2)`, `x * min(rsqrt(sum(x**2)), 1 / epsilon)`, computed as
    `x * rsqrt(max(sum(x**2), epsilon**2))`, the same values without dividing by zero for a zero vector."""
    axis = tuple(axis) if isinstance(axis, list) else axis
    epsilon = backend_epsilon() if epsilon is None else epsilon
    return x * ops.rsqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), epsilon**2))


def batch_dot_shape(shape1, shape2, axes):
    if shape1[axes[0]] is not None and shape2[axes[1]] is not None and shape1[axes[0]] != shape2[axes[1]]:
        raise ValueError(
            f"Incompatible input shapes: axis values {shape1[axes[0]]} (at axis {axes[0]}) != "
            f"{shape2[axes[1]]} (at axis {axes[1]}). Full input shapes: {tuple(shape1)}, "
            f"{tuple(shape2)}"
        )
    rest1 = [d for i, d in enumerate(shape1) if i not in (0, axes[0])]
    rest2 = [d for i, d in enumerate(shape2) if i not in (0, axes[1])]
    return (shape1[0], *rest1, *rest2) if rest1 or rest2 else (shape1[0], 1)


def batch_dot(x1, x2, axes):
    """Contract axes[0] of x1 with axes[1] of x2, example by example, as one batched matmul."""
    shape1, shape2 = tuple(x1.shape), tuple(x2.shape)
    rank1, rank2 = len(shape1), len(shape2)
    x1 = ops.transpose(x1, [i for i in range(rank1) if i != axes[0]] + [axes[0]])
    x2 = ops.transpose(x2, [0, axes[1]] + [i for i in range(1, rank2) if i != axes[1]])
    rest1 = [d for i, d in enumerate(shape1) if i not in (0, axes[0])]
    rest2 = [d for i, d in enumerate(shape2) if i not in (0, axes[1])]
    depth = shape1[axes[0]]
    product = ops.matmul(ops.reshape(x1, (-1, math.prod(rest1), depth)), ops.reshape(x2, (-1, depth, math.prod(rest2))))
    return ops.reshape(product, (-1, *rest1, *rest2) if rest1 or rest2 else (-1, 1))


class Dot(Merge):
    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int) and not (
            isinstance(axes, (list, tuple)) and len(axes) == 2 and all(isinstance(a, int) for a in axes)
        ):
            raise TypeError(
                f"Invalid type for argument `axes`: it should be an int or a list/tuple of 2 ints. "
                f"Received: axes={axes}"
            )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def check_inputs(self, input_shape):
        super().check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: input_shape={input_shape}")

    def resolved_axes(self, shape1, shape2):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        return axes[0] % len(shape1), axes[1] % len(shape2)

    def merge_function(self, inputs):
        x1, x2 = inputs
        axes = self.resolved_axes(x1.shape, x2.shape)
        if self.normalize:
            x1, x2 = l2_normalize(x1, axes[0]), l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        self.check_inputs(input_shape)
        shape1, shape2 = input_shape
        return batch_dot_shape(shape1, shape2, self.resolved_axes(shape1, shape2))

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    return Dot(axes=axes, **kwargs)(inputs)
