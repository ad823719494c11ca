"""BatchNormalization: normalises with the batch's statistics while training and with moving averages
otherwise; a frozen layer (`trainable=False`) always runs in inference mode, as in Keras 3. Training without
a mask runs `fused_batch_normalization` (the batch's statistics and the normalisation as one step with a
closed-form gradient); a masked batch weighs its statistics by the mask."""

import numbers

from kerasish import constraints, initializers, ops, regularizers
from kerasish.backend import epsilon as backend_epsilon
from kerasish.backends.primitives.normalization import fused_batch_normalization
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer


class BatchNormalization(Layer):
    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized=False,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if renorm:
            raise ValueError(
                f"kerasish's BatchNormalization does not implement batch renormalization. Received: renorm={renorm}"
            )
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"Expected an int for `axis`. Received: axis={axis!r}")
        for argument, value in (("momentum", momentum), ("epsilon", epsilon)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise ValueError(f"BatchNormalization: `{argument}` must be a float, received {argument}={value!r}")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.synchronized = synchronized
        self.renorm, self.renorm_clipping, self.renorm_momentum = renorm, renorm_clipping, renorm_momentum
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"axis {self.axis} is out of bounds for an input of rank {rank} (input shape {tuple(input_shape)})"
            )
        axis = self.axis % rank
        features = input_shape[axis]
        if features is None:
            raise ValueError(
                f"the normalized axis {self.axis} of the input must be known, got input shape {tuple(input_shape)}"
            )
        self.input_spec = InputSpec(ndim=rank, axes={axis: features})
        self._reduction_axes = tuple(i for i in range(rank) if i != axis)
        self.gamma = (
            self.add_weight(
                name="gamma",
                shape=(features,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta",
                shape=(features,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
            if self.center
            else None
        )
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=(features,), initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=(features,), initializer=self.moving_variance_initializer, trainable=False
        )

    def call(self, inputs, training=None, mask=None):
        if not (training and self.trainable):
            return self._normalize(inputs, self.moving_mean, self.moving_variance)
        if mask is None:
            outputs, mean, variance = fused_batch_normalization(
                inputs, self.axis, self.beta, self.gamma, self.epsilon, synchronized=self.synchronized
            )
        else:
            mean, variance = self._masked_moments(inputs, mask)
            outputs = self._normalize(inputs, mean, variance)
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return outputs

    def _normalize(self, inputs, mean, variance):
        return ops.batch_normalization(
            inputs, mean, variance, axis=self.axis, offset=self.beta, scale=self.gamma, epsilon=self.epsilon
        )

    def _masked_moments(self, inputs, mask):
        weights = ops.cast(mask, inputs.dtype)
        while len(weights.shape) < len(inputs.shape):
            weights = ops.expand_dims(weights, -1)
        weights = weights * ops.ones_like(inputs)
        total = ops.sum(weights, axis=self._reduction_axes, keepdims=True) + backend_epsilon()
        mean = ops.sum(weights * inputs, axis=self._reduction_axes, keepdims=True) / total
        variance = ops.sum(weights * ops.square(inputs - mean), axis=self._reduction_axes, keepdims=True) / total
        return ops.squeeze(mean, self._reduction_axes), ops.squeeze(variance, self._reduction_axes)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }
