"""A real model for callback tests that run `fit`: a linear regression written with ops only."""

import numpy

import kerasish
from kerasish import layers, ops


def zeros(shape, dtype):
    return numpy.zeros(shape, dtype)


class Linear(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1],), initializer=zeros)
        self.bias = self.add_weight(shape=(1,), initializer=zeros)

    def call(self, inputs):
        return ops.sum(inputs * self.kernel, axis=-1, keepdims=True) + self.bias


def regression_data(samples=64, features=4, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.normal(size=(samples, features)).astype("float32")
    y = (x @ numpy.arange(1, features + 1, dtype="float32") + 0.5)[:, None]
    return x, y


def compiled_model(engine, features=4, learning_rate=0.01):
    model = kerasish.Sequential([kerasish.Input((features,)), Linear()])
    model.compile(optimizer=kerasish.optimizers.SGD(learning_rate), loss="mse", backend=engine)
    return model
