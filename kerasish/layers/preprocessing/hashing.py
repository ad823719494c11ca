"""Hashing: each value (string, or integer written in decimal) into one of `num_bins` bins by TensorFlow's
FarmHash Fingerprint64, or by SipHash keyed with `salt`, so every value lands in the bin Keras gives it.
Runs on the host (see host_layer)."""

import numpy

from kerasish.backends.preprocessing.string_hashes import fingerprint64, siphash
from kerasish.layers.preprocessing.categorical_encoding import (
    check_output_mode,
    encode_categorical_inputs,
)
from kerasish.layers.preprocessing.host_layer import HostLayer, host_array


def value_bytes(value):
    """A value as TensorFlow hashes it: strings as UTF-8, integers (and floats, truncated) in decimal."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (float, numpy.floating)):
        value = int(value)
    return str(int(value)).encode("ascii")


def salt_pair(salt, layer_name):
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(isinstance(s, int) for s in salt):
        return list(salt)
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    raise ValueError(
        f"The `salt` argument for `{layer_name}` can only be a tuple of size 2 integers, or a single "
        f"integer. Received: salt={salt}."
    )


def hash_to_bins(values, num_bins, salt=None):
    """int64 bins of a numpy array of values."""
    flat = values.ravel().tolist()
    if salt is None:
        bins = [fingerprint64(value_bytes(v)) % num_bins for v in flat]
    else:
        bins = [siphash(salt, value_bytes(v)) % num_bins for v in flat]
    return numpy.asarray(bins, dtype="int64").reshape(values.shape)


class Hashing(HostLayer):
    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: num_bins={num_bins}."
            )
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(
                "When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                f"Received: dtype={kwargs['dtype']}"
            )
        check_output_mode(type(self).__name__, output_mode)
        if sparse:
            raise ValueError(
                f"`sparse=True` is not supported: kerasish has no sparse tensors. Received: sparse={sparse}"
            )
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.salt = salt_pair(salt, "Hashing")
        self.output_mode = output_mode
        self.sparse = sparse

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def call(self, inputs):
        values = host_array(inputs, self.describe)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values.reshape(values.shape[:-1])
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        indices = hash_to_bins(values, bins, self.salt)
        if mask is not None:
            indices = (indices + 1) * (~mask)
        if self.output_mode == "int":
            return indices.astype(self.dtype)
        return encode_categorical_inputs(indices, self.output_mode, self.num_bins, self.compute_dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
