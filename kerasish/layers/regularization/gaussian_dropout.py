"""GaussianDropout: during training, multiplies by Gaussian noise of mean 1 and variance rate / (1 - rate)."""

import math

from kerasish import random
from kerasish.layers.layer import Layer
from kerasish.layers.regularization.dropout import check_fraction


class GaussianDropout(Layer):
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_fraction(rate, "rate")
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed) if rate > 0 else None
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random.normal(
            tuple(inputs.shape), mean=1.0, stddev=stddev, dtype=inputs.dtype, seed=self.seed_generator
        )
        return inputs * noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
