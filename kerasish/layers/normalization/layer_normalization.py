"""LayerNormalization: normalises each example over `axis`, then scales by gamma and shifts by beta. As Keras's,
it does not autocast: the inputs and the float32 gamma and beta are normalised in float32 at least (half precision
inputs too), and the result is cast to the compute dtype (bfloat16 under "mixed_bfloat16")."""

from kerasish import constraints, initializers, ops, regularizers
from kerasish.layers.layer import Layer


class LayerNormalization(Layer):
    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        rms_scaling=False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, list, tuple)):
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        self.axis = list(axis) if isinstance(axis, tuple) else axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        rank = len(input_shape)
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(
                f"axis {self.axis} is out of bounds for an input of rank {rank} (input shape {tuple(input_shape)})"
            )
        shape = tuple(input_shape[a] for a in axes)
        self.gamma = (
            self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
            if self.scale or self.rms_scaling
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
            if self.center and not self.rms_scaling
            else None
        )

    def call(self, inputs):
        if self.rms_scaling:  # as Keras's (deprecated) rms_scaling: divides by the standard deviation
            rank = len(inputs.shape)
            axes = [a % rank for a in (self.axis if isinstance(self.axis, list) else [self.axis])]
            gamma = ops.reshape(self.gamma, tuple(inputs.shape[i] if i in axes else 1 for i in range(rank)))
            outputs = inputs * ops.rsqrt(ops.var(inputs, axis=tuple(axes), keepdims=True) + self.epsilon) * gamma
        else:
            outputs = ops.layer_normalization(inputs, self.gamma, self.beta, axis=self.axis, epsilon=self.epsilon)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
