"""AlphaDropout: dropout for SELU networks. During training, dropped inputs are set to SELU's negative
saturation value and the result is scaled and shifted so that mean and variance stay those of the input
(Klambauer et al., 2017; Keras's constants)."""

from kerasish import ops, random
from kerasish.layers.layer import Layer
from kerasish.layers.regularization.dropout import check_fraction

_ALPHA = 1.6732632423543772
_SCALE = 1.0507009873554805


class AlphaDropout(Layer):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_fraction(rate, "rate")
        self.seed = seed
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed_generator = random.SeedGenerator(seed) if rate > 0 else None
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape)
        if self.noise_shape is not None:
            shape = tuple(size if wanted is None else wanted for size, wanted in zip(shape, self.noise_shape))
        kept = ops.cast(
            ops.greater_equal(random.uniform(shape, seed=self.seed_generator, dtype=inputs.dtype), self.rate),
            inputs.dtype,
        )
        saturation = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * saturation**2)) ** -0.5
        b = -a * saturation * self.rate
        return a * (inputs * kept + saturation * (1 - kept)) + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}
