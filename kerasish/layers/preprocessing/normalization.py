"""Normalization: (inputs - mean) / sqrt(variance), with the mean and variance given or learned by
`adapt` (population variance, batches combined as Keras does), kept as the weights `mean`, `variance`
and `count` so they come back with a saved model."""

import numpy

from kerasish import ops
from kerasish.backends import config
from kerasish.layers.layer import Layer
from kerasish.layers.preprocessing.adapt_data import adapt_batches, is_single_batch


class Normalization(Layer):
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` "
                f"must be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if numpy.shape(mean) != numpy.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {numpy.shape(mean)} and variance shape {numpy.shape(variance)}"
                )
            if len(numpy.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"The rank of `mean` must be less than or equal to the number of axes ({len(self.axis)}). "
                    f"Received: mean shape {numpy.shape(mean)} for axis {self.axis}"
                )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). "
                f"Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._build_input_shape = input_shape
        self._keep_axis = tuple(sorted(d if d >= 0 else d + ndim for d in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have a known shape. Received axis="
                    f"{self.axis}, inputs.shape={input_shape}, with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=self._mean_and_var_shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(name="count", shape=(), dtype="int32", initializer="zeros", trainable=False)
        else:
            self._fixed_mean = self._broadcast_given(self.input_mean)
            self._fixed_variance = self._broadcast_given(self.input_variance)

    def _broadcast_given(self, value):
        """A given mean or variance as a constant that broadcasts against the inputs: its axes matched to
        the kept axes from the right, as Keras."""
        value = numpy.asarray(value, dtype=self.compute_dtype)
        expanded = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            expanded[self._keep_axis[-i]] = value.shape[-i]
        if any(size not in (1, full) for size, full in zip(expanded, self._broadcast_shape)):
            raise ValueError(
                f"`mean`/`variance` of shape {value.shape} cannot be broadcast to the kept axes "
                f"{self._mean_and_var_shape} of inputs of shape {self._build_input_shape}"
            )
        return value.reshape(expanded)

    def adapt(self, data):
        """Computes the mean and the (population) variance of `data` over the axes not kept."""
        batches = adapt_batches(data, self)
        first = next(batches)
        input_shape = tuple(first.shape)
        if not self.built:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"The layer was built with input_shape={self._build_input_shape}, but adapt() is being "
                        f"called with data with an incompatible shape, data.shape={input_shape}"
                    )
        if self.input_mean is not None:
            raise ValueError(f"{self.describe()}: cannot adapt a layer created with `mean` and `variance`")
        if is_single_batch(data):
            self._check_not_empty(first)
            total_mean = ops.mean(first, axis=self._reduce_axis)
            total_variance = ops.var(first, axis=self._reduce_axis)
        else:
            total_mean = ops.zeros(self._mean_and_var_shape)
            total_variance = ops.zeros(self._mean_and_var_shape)
            total_count = 0
            for batch in [first, *batches]:
                batch = ops.convert_to_tensor(batch, dtype=self.compute_dtype)
                self._check_not_empty(batch)
                for d in self._keep_axis:
                    if batch.shape[d] != self._build_input_shape[d]:
                        raise ValueError(
                            "adapt() yielded a batch with incompatible shape. Expected "
                            f"{self._build_input_shape}, got {tuple(batch.shape)}."
                        )
                batch_mean = ops.mean(batch, axis=self._reduce_axis)
                batch_variance = ops.var(batch, axis=self._reduce_axis)
                batch_count = 1
                for d in self._reduce_axis:
                    batch_count *= batch.shape[d]
                total_count += batch_count
                batch_weight = float(batch_count) / total_count
                existing_weight = 1.0 - batch_weight
                new_mean = total_mean * existing_weight + batch_mean * batch_weight
                total_variance = (total_variance + (total_mean - new_mean) ** 2) * existing_weight + (
                    batch_variance + (batch_mean - new_mean) ** 2
                ) * batch_weight
                total_mean = new_mean
        self.adapt_mean.assign(ops.cast(total_mean, self.adapt_mean.dtype))
        self.adapt_variance.assign(ops.cast(total_variance, self.adapt_variance.dtype))

    def _check_not_empty(self, batch):
        if any(batch.shape[d] == 0 for d in range(len(batch.shape))):
            raise ValueError(f"{self.describe()}: adapt() received an empty batch of shape {tuple(batch.shape)}")

    def call(self, inputs):
        inputs = ops.cast(inputs, self.compute_dtype)
        if self.input_mean is None:
            mean = ops.reshape(ops.cast(self.adapt_mean, self.compute_dtype), self._broadcast_shape)
            variance = ops.reshape(ops.cast(self.adapt_variance, self.compute_dtype), self._broadcast_shape)
        else:
            mean, variance = self._fixed_mean, self._fixed_variance
        scale = ops.maximum(ops.sqrt(variance), config.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": numpy.asarray(self.input_mean).tolist(),
            "variance": numpy.asarray(self.input_variance).tolist(),
        }

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": self._build_input_shape}
        return None
