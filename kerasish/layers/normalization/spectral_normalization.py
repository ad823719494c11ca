"""SpectralNormalization: wraps a layer with a `kernel` (or `embeddings`) and, while training, divides that
weight by its largest singular value, estimated by power iteration (Miyato et al., 2018). The iteration's
vector `vector_u` is a non-trainable weight, carried from step to step as in Keras."""

from kerasish import initializers, ops
from kerasish.layers.core.wrapper import Wrapper
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.merging.dot import l2_normalize


class SpectralNormalization(Wrapper):
    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(power_iterations, int) or isinstance(power_iterations, bool) or power_iterations <= 0:
            raise ValueError(
                f"`power_iterations` should be greater than zero. Received: `power_iterations={power_iterations}`"
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings'")
        self._trainable_variables.append(self.kernel)  # Keras tracks it as the wrapper's own: saved before vector_u
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, self.kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            dtype=self.kernel.dtype,
        )

    def call(self, inputs, training=False):
        if training:
            vector_u, kernel = ops.cond(
                ops.all(ops.equal(self.kernel, 0)),
                lambda: (self.vector_u + 0, self.kernel + 0),
                self.normalized_weights,
            )
            self.vector_u.assign(vector_u)
            self.kernel.assign(kernel)
        return self.layer(inputs)

    def normalized_weights(self):
        """(the next vector_u, the kernel divided by its estimated spectral norm)."""
        weights = ops.reshape(self.kernel, (-1, self.kernel.shape[-1]))
        vector_u = self.vector_u + 0
        for _ in range(self.power_iterations):
            vector_v = l2_normalize(ops.matmul(vector_u, ops.transpose(weights)), axis=None)
            vector_u = l2_normalize(ops.matmul(vector_v, weights), axis=None)
        vector_u, vector_v = ops.stop_gradient(vector_u), ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        return vector_u, ops.reshape(self.kernel / sigma, self.kernel.shape)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
