"""IndexLookup: the shared machinery of StringLookup and IntegerLookup (and TextVectorization's lookup):
a vocabulary of tokens mapped to integer indices after the mask and OOV indices, learned by `adapt`
(most frequent first, ties broken by the larger token, as Keras) or given, and read or written as a
vocabulary file. Lookups run on the host with a Python dict (see host_layer); the one-hot, multi-hot,
count and tf-idf encodings of the indices go through `kerasish.ops`.

What a saved model keeps: a vocabulary given as a list is in the config (as Keras); an adapted one is
written by `save_assets` into the `.keras` file as `vocabulary.txt` (Keras's asset), with the tf-idf
weights beside it, and read back by `load_assets`.
"""

import collections
import math
import os

import numpy

from kerasish.backends.preprocessing.string_hashes import fingerprint64, siphash
from kerasish.layers.preprocessing.adapt_data import adapt_batches
from kerasish.layers.preprocessing.categorical_encoding import (
    check_output_mode,
    encode_categorical_inputs,
    encoded_shape,
)
from kerasish.layers.preprocessing.hashing import salt_pair, value_bytes
from kerasish.layers.preprocessing.host_layer import HostLayer, host_array
from kerasish.utils.object_serialization import in_safe_mode

VOCABULARY_FILE, IDF_WEIGHTS_FILE = "vocabulary.txt", "idf_weights.txt"
VOCABULARY_FILE_LIMIT = 256 * 2**20


class IndexLookup(HostLayer):
    _called = False  # once called, an encoded output's width (the vocabulary size) may not change

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary_dtype,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        name=None,
        **kwargs,
    ):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(
                f"`num_oov_indices` must be greater than or equal to 0. Received: num_oov_indices={num_oov_indices}"
            )
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        check_output_mode(type(self).__name__, output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if invert and output_mode != "int":
            raise ValueError(
                f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={output_mode}"
            )
        if sparse:
            raise ValueError(
                f"`sparse=True` is not supported: kerasish has no sparse tensors. Received: sparse={sparse}"
            )
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                f"Received: idf_weights={idf_weights} and output_mode={output_mode}"
            )
        oov_method = kwargs.pop("oov_method", "farmhash")
        salt = kwargs.pop("salt", None)
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt_pair(salt, type(self).__name__)
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens = []
        self._index = {}
        self.idf_weights = None
        self._reset_counts()
        if output_mode == "tf_idf" and has_input_vocabulary and idf_weights is None and vocabulary is not None:
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                "argument must also be provided."
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ----- the vocabulary ------------------------------------------------------------------

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _token(self, value):
        """A vocabulary entry in its canonical form: str for string vocabularies, int for integer ones."""
        if self.vocabulary_dtype == "string":
            return value.decode("utf-8") if isinstance(value, bytes) else str(value)
        return int(value)

    def vocabulary_size(self):
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        if not include_special_tokens:
            return list(self._tokens)
        special = [self.oov_token] * self._token_start_index()
        if self.mask_token is not None and self.output_mode == "int":
            special[0] = self.mask_token
        return special + list(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                f"Received: output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = self._read_vocabulary_file(os.fspath(vocabulary))
        vocabulary = [self._token(v) for v in host_array(vocabulary, self.describe).ravel().tolist()]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special_tokens = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special_tokens = vocabulary[:token_start] == special_tokens
        tokens = vocabulary[token_start:] if found_special_tokens else vocabulary
        repeated = [token for token, count in collections.Counter(tokens).items() if count > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                f"The repeated terms are: {repeated}"
            )
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and "
                "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                f"{special_tokens}. Received: mask_token={self.mask_token} at vocabulary index "
                f"{len(vocabulary) - 1 - vocabulary[::-1].index(self.mask_token)}"
            )
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and "
                "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                f"{special_tokens}. Received: oov_token={self.oov_token} at vocabulary index "
                f"{len(vocabulary) - 1 - vocabulary[::-1].index(self.oov_token)}"
            )
        new_size = token_start + len(tokens)
        if self.max_tokens is not None and new_size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size "
                f"is {new_size}; `max_tokens` is {self.max_tokens}."
            )
        if self.output_mode == "tf_idf":
            idf_weights = numpy.asarray(idf_weights, dtype="float32")
            if idf_weights.ndim != 1:
                raise ValueError(
                    f"TF-IDF data must be a 1-index array. Received: idf_weights of shape {idf_weights.shape}"
                )
            if len(vocabulary) != len(idf_weights):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. "
                    f"len(idf_weights) is {len(idf_weights)}; len(vocabulary) is {len(vocabulary)}"
                )
            front = [] if found_special_tokens else [float(idf_weights.mean())] * token_start
            self._set_idf(front + idf_weights.tolist())
        self._set_tokens(tokens)

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        self._record_vocabulary_size()

    def _set_idf(self, weights):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = weights + [0.0] * (self.max_tokens - len(weights))
        self.idf_weights = numpy.asarray(weights, dtype="float32")

    def _record_vocabulary_size(self):
        if self.output_mode == "int" or self.pad_to_max_tokens:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        if self._frozen_vocab_size is not None and self._called and self.vocabulary_size() != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the vocabulary "
                f"size cannot be changed after the layer is called. Old vocab size is {self._frozen_vocab_size}, "
                f"new vocab size is {self.vocabulary_size()}"
            )
        self._frozen_vocab_size = self.vocabulary_size()

    def _read_vocabulary_file(self, path):
        if not os.path.isfile(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
        if os.path.getsize(path) > VOCABULARY_FILE_LIMIT:
            raise ValueError(f"{self.describe()}: vocabulary file {path} is larger than {VOCABULARY_FILE_LIMIT} bytes")
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    # ----- adapt ---------------------------------------------------------------------------

    def _reset_counts(self):
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    def adapt(self, data, steps=None):
        """Learns the vocabulary (and, for tf_idf, the inverse document frequencies) of `data`."""
        self._reset_counts()
        if isinstance(data, (list, tuple)) and not (data and hasattr(data[0], "shape")):
            data = numpy.asarray(data, dtype=object)
        if hasattr(data, "shape") and len(data.shape) == 1:
            data = host_array(data, self.describe).reshape(-1, 1)  # as Keras: one document per element
        for batch in adapt_batches(data, self, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        self.count_documents(self._documents(data))

    def count_documents(self, rows):
        """Adds the tokens of `rows` (one list of tokens per document) to the counts `adapt` learns from."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                "argument or `set_vocabulary()` method."
            )
        for row in rows:
            self._token_counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._document_counts.update(set(row))
            self._num_documents += len(rows)

    def _documents(self, data):
        """The tokens of `data` as one list per document (row)."""
        values = host_array(data, self.describe)
        if values.ndim == 0:
            values = values.reshape(1, 1)
        elif values.ndim == 1:
            values = values.reshape(1, -1)
        return [[self._token(v) for v in row.ravel().tolist()] for row in values]

    def finalize_state(self):
        if self._has_input_vocabulary or not self._token_counts:
            return
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        ordered = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        if self.max_tokens:
            ordered = ordered[: self.max_tokens - self._token_start_index()]
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + self._num_documents / (1 + self._document_counts[t])) for t in ordered]
            idf = numpy.asarray(idf, dtype="float32").tolist()
            mean = float(numpy.asarray(idf, dtype="float32").mean()) if idf else 0.0
            self._set_idf([mean] * self._token_start_index() + idf)
        self._set_tokens(ordered)
        self._reset_counts()

    def reset_state(self):
        self._reset_counts()

    # ----- calling -------------------------------------------------------------------------

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def call(self, inputs):
        if self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must set the "
                "layer's vocabulary before calling it. Either pass a `vocabulary` argument to the layer, or "
                "call `adapt` with some sample data."
            )
        self._called = True
        values = host_array(inputs, self.describe)
        if self.invert:
            return self._invert(values)
        indices = self._lookup(values)
        if self.output_mode == "int":
            return indices
        output = encode_categorical_inputs(
            indices, "count" if self.output_mode == "tf_idf" else self.output_mode, self._depth(), "float32"
        )
        if self.output_mode == "tf_idf":
            output = output * self.idf_weights
        return output

    def _lookup(self, values):
        flat = values.ravel().tolist()
        mask = self.mask_token
        mask_index = 0 if self.output_mode == "int" else -1  # -1 encodes as all zeros
        indices, missing = [], []
        for value in flat:
            token = self._token(value)
            if mask is not None and token == mask:
                indices.append(mask_index)
                continue
            index = self._index.get(token)
            if index is None:
                index = self._oov_index(token)
                if index is None:
                    missing.append(token)
                    index = -1
            indices.append(index)
        if missing:
            raise ValueError(
                "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                f"{missing[:10]}, consider setting `num_oov_indices=1`."
            )
        return numpy.asarray(indices, dtype="int64").reshape(values.shape)

    def _oov_index(self, token):
        if self.num_oov_indices == 0:
            return None
        start = self._oov_start_index()
        if self.num_oov_indices == 1:
            return start
        if self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
            return start + token % self.num_oov_indices
        data = value_bytes(token)
        hashed = fingerprint64(data) if self.salt is None else siphash(self.salt, data)
        return start + hashed % self.num_oov_indices

    def _invert(self, values):
        vocabulary = self.get_vocabulary()
        flat = [int(v) for v in values.ravel().tolist()]
        tokens = []
        for index in flat:
            if self.mask_token is not None and index == 0:
                tokens.append(self.mask_token)
            elif 0 <= index < len(vocabulary) and index >= self._token_start_index():
                tokens.append(vocabulary[index])
            else:
                tokens.append(self.oov_token)
        dtype = object if self.vocabulary_dtype == "string" else self.vocabulary_dtype
        return numpy.asarray(tokens, dtype=dtype).reshape(values.shape)

    # ----- configuration and assets ----------------------------------------------------------

    def get_config(self):
        def listed(value):
            return numpy.asarray(value).tolist() if value is not None and not isinstance(value, str) else value

        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": listed(self.input_idf_weights),
            "vocabulary": listed(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }

    @classmethod
    def from_config(cls, config):
        vocabulary = config.get("vocabulary")
        if isinstance(vocabulary, str) and in_safe_mode():
            raise ValueError(
                "Requested the loading of a vocabulary file outside of the model archive. This carries a "
                "potential risk of loading arbitrary and sensitive files and thus it is disallowed by default. "
                "If you trust the source of the artifact, you can override this error by passing "
                "`safe_mode=False` to the loading function. "
                f"Vocabulary file: '{vocabulary}'"
            )
        return super().from_config(config)

    def save_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, VOCABULARY_FILE), "w", encoding="utf-8") as file:
            file.write("\n".join(str(token) for token in self.get_vocabulary()))
        if self.idf_weights is not None:
            with open(os.path.join(dir_path, IDF_WEIGHTS_FILE), "w", encoding="utf-8") as file:
                file.write("\n".join(repr(float(w)) for w in self.idf_weights.tolist()))

    def load_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, VOCABULARY_FILE)
        if not os.path.isfile(path):
            return
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return
        idf_weights = None
        if self.output_mode == "tf_idf":
            if not os.path.isfile(os.path.join(dir_path, IDF_WEIGHTS_FILE)):
                raise ValueError(
                    f"{self.describe()}: the saved model has a vocabulary but no {IDF_WEIGHTS_FILE} for "
                    "output_mode='tf_idf' (Keras keeps adapted idf weights in its weights file, which "
                    "kerasish does not read for this layer)"
                )
            with open(os.path.join(dir_path, IDF_WEIGHTS_FILE), encoding="utf-8") as file:
                idf_weights = [float(line) for line in file.read().split()]
            idf_weights = idf_weights[: len(lines)]
        self._frozen_vocab_size = None
        self.set_vocabulary(lines, idf_weights)
        self._has_input_vocabulary = False
