"""Add, Subtract, Multiply, Average, Maximum, Minimum: element-wise merges of broadcastable inputs."""

import functools

from kerasish import ops
from kerasish.layers.merging.base_merge import Merge


class Add(Merge):
    def merge_function(self, inputs):
        return functools.reduce(ops.add, inputs)


class Subtract(Merge):
    """The first input minus the second (exactly two inputs)."""

    def check_inputs(self, input_shape):
        super().check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={input_shape}"
            )

    def merge_function(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    def merge_function(self, inputs):
        return functools.reduce(ops.multiply, inputs)


class Average(Merge):
    def merge_function(self, inputs):
        return functools.reduce(ops.add, inputs) / len(inputs)


class Maximum(Merge):
    def merge_function(self, inputs):
        return functools.reduce(ops.maximum, inputs)


class Minimum(Merge):
    def merge_function(self, inputs):
        return functools.reduce(ops.minimum, inputs)
