"""Discretization: the bin index of each value (`bin_boundaries`, or `num_bins` quantile bins learned by
`adapt` with Keras's approximate quantiles), as an int or encoded by `output_mode`."""

from kerasish import dtype_policies, ops
from kerasish.backends.preprocessing import quantiles
from kerasish.layers.layer import Layer
from kerasish.layers.preprocessing.adapt_data import adapt_batches
from kerasish.layers.preprocessing.categorical_encoding import (
    check_output_mode,
    encode_categorical_inputs,
    encoded_shape,
)


class Discretization(Layer):
    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        dtype=None,
        name=None,
    ):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError(
                f"`sparse=True` is not supported: kerasish has no sparse tensors. Received: sparse={sparse}"
            )
        check_output_mode(type(self).__name__, output_mode)
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. "
                f"Received: `num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if self.bin_boundaries else quantiles.empty_summary()

    @property
    def output_dtype(self):
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        """Estimates `num_bins` quantile boundaries of `data` (within `epsilon`)."""
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                "use `num_bins` instead."
            )
        self.summary = quantiles.empty_summary()
        for batch in adapt_batches(data, self, steps):
            values = ops.convert_to_numpy(batch).astype("float32")
            if values.size == 0:
                raise ValueError(f"{self.describe()}: adapt() received an empty batch of shape {values.shape}")
            self.summary = quantiles.merge_summaries(
                quantiles.summarize(values, self.epsilon), self.summary, self.epsilon
            )
        self.bin_boundaries = quantiles.bin_boundaries(self.summary, self.num_bins).tolist()

    def _depth(self):
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time or call "
                "`adapt(dataset)` before you can start using the `Discretization` layer."
            )
        indices = ops.digitize(inputs, self.bin_boundaries)
        return encode_categorical_inputs(indices, self.output_mode, self._depth(), self.output_dtype)

    def get_config(self):
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": dtype_policies.serialize(self.dtype_policy),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            bin_boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = bin_boundaries
            return layer
        return cls(**config)
