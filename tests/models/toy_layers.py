"""Small layers made only of elementwise ops and sums, for testing the model machinery alone."""

import numpy

from kerasish import layers, ops


class Scale(layers.Layer):
    """y = x * kernel + bias, with one weight per feature (the last axis)."""

    def __init__(self, regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.regularizer = regularizer

    def build(self, input_shape):
        self.input_spec = layers.InputSpec(min_ndim=2, axes={-1: input_shape[-1]})
        self.kernel = self.add_weight(
            shape=(input_shape[-1],),
            name="kernel",
            regularizer=self.regularizer,
            initializer=lambda shape, dtype: numpy.linspace(0.5, 1.5, shape[0]).astype(dtype),
        )
        self.bias = self.add_weight(
            shape=(input_shape[-1],), name="bias", initializer=lambda shape, dtype: numpy.zeros(shape, dtype)
        )

    def call(self, inputs):
        return inputs * self.kernel + self.bias

    def get_config(self):
        return {**super().get_config(), "regularizer": None}


class Total(layers.Layer):
    """Sum over the last axis, kept as size 1."""

    def call(self, inputs):
        return ops.sum(inputs, axis=-1, keepdims=True)


class Plus(layers.Layer):
    """Adds a list of tensors."""

    def call(self, inputs):
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total


class Moments(layers.Layer):
    """A trainable scale and a non-trainable counter (as BatchNormalization's moving statistics)."""

    def build(self, input_shape):
        self.gamma = self.add_weight(
            shape=(input_shape[-1],), name="gamma", initializer=lambda shape, dtype: numpy.ones(shape, dtype)
        )
        self.count = self.add_weight(
            shape=(), name="count", trainable=False, initializer=lambda shape, dtype: numpy.zeros(shape, dtype)
        )

    def call(self, inputs, training=None):
        if training:
            self.count.assign(self.count + 1.0)
        return inputs * self.gamma


class Recorder(layers.Layer):
    """Remembers the `training` value each call received."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs
