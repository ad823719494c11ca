"""HashedCrossing: the cross of two or more categorical features (strings or integers) hashed into
`num_bins` bins as `tf.sparse.cross_hashed` does (FingerprintCat64 chained from its default key). Runs on
the host (see host_layer)."""

import numpy

from kerasish import dtype_policies
from kerasish.backends.preprocessing.string_hashes import CROSS_HASH_KEY, cross_feature_hash, fingerprint_cat64
from kerasish.layers.preprocessing.categorical_encoding import check_output_mode, encode_categorical_inputs
from kerasish.layers.preprocessing.host_layer import HostLayer, host_array


class HashedCrossing(HostLayer):
    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError(
                f"`sparse=True` is not supported: kerasish has no sparse tensors. Received: sparse={sparse}"
            )
        check_output_mode(type(self).__name__, output_mode, ("int", "one_hot"))
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1:
            raise ValueError(f"`num_bins` must be a positive integer. Received: num_bins={num_bins}")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def compute_output_shape(self, input_shape):
        if not (len(input_shape) >= 2 and all(isinstance(shape, tuple) for shape in input_shape)):
            raise ValueError(f"Expected as input a list/tuple of 2 tensors. Received input_shape={input_shape}")
        if any(shape[-1:] != input_shape[0][-1:] for shape in input_shape):
            raise ValueError(
                f"Expected the two input tensors to have identical shapes. Received input_shape={input_shape}"
            )
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if not first:
            return (self.num_bins,)
        if first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"`HashedCrossing` should be called on a list or tuple of inputs. Received: inputs={inputs}"
            )
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        features = [host_array(x, self.describe) for x in inputs]
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or `(batch_size, 1)`. "
                f"Received shapes: {[x.shape for x in features]}"
            )
        if any(x.shape != shape for x in features[1:]):
            raise ValueError(
                f"All `HashedCrossing` inputs should have equal shape. Received shapes: {[x.shape for x in features]}"
            )
        if any(x.dtype.kind not in "iuUSO" for x in features):
            raise ValueError(
                "All `HashedCrossing` inputs should have an integer or string dtype. "
                f"Received dtypes: {[str(x.dtype) for x in features]}"
            )
        columns = [x.ravel().tolist() for x in features]
        crossed = []
        for row in zip(*columns):
            hashed = CROSS_HASH_KEY
            for value in row:
                hashed = fingerprint_cat64(hashed, cross_feature_hash(value))
            crossed.append(hashed % self.num_bins)
        indices = numpy.asarray(crossed, dtype="int64").reshape(shape)
        if self.output_mode == "int":
            return indices.astype(self.dtype)
        return encode_categorical_inputs(indices, "one_hot", self.num_bins, self.compute_dtype)

    def get_config(self):
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": dtype_policies.serialize(self.dtype_policy),
        }
