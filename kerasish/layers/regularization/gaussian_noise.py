"""GaussianNoise: during training, adds zero-mean Gaussian noise of standard deviation `stddev`."""

from kerasish import random
from kerasish.layers.layer import Layer
from kerasish.layers.regularization.dropout import check_fraction


class GaussianNoise(Layer):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_fraction(stddev, "stddev")
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed) if stddev > 0 else None
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = random.normal(tuple(inputs.shape), stddev=self.stddev, dtype=inputs.dtype, seed=self.seed_generator)
        return inputs + noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
