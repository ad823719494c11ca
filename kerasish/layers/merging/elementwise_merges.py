"""Add, Subtract, Multiply, Average, Maximum, Minimum: element-wise merges of broadcastable inputs, and
Keras's functional forms (`add(inputs, **kwargs)`, ...), each calling a new layer on the inputs."""

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


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)
