"""TextVectorization: strings to token indices (or multi-hot, count, tf-idf vectors) in Keras's steps:
standardize (ASCII lower-casing and Keras's punctuation class, as `tf.strings.lower` and
`regex_replace` do), split (ASCII whitespace or Unicode characters), n-grams (all of each width in turn,
joined by a space, as `tf.strings.ngrams`), then a StringLookup with "" as its mask (index 0, the
padding) and one OOV index. Runs on the host (see host_layer); the vocabulary is kept with a saved
model as assets (its own, as Keras writes them, and its StringLookup's)."""

import re

import numpy

from kerasish.layers.preprocessing.adapt_data import adapt_batches
from kerasish.layers.preprocessing.host_layer import HostLayer, host_array
from kerasish.layers.preprocessing.index_lookup import IndexLookup
from kerasish.layers.preprocessing.string_lookup import StringLookup
from kerasish.utils.object_serialization import deserialize_keras_object, serialize_keras_object

PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
ASCII_WHITESPACE = re.compile(r"[ \t\n\r\x0b\x0c]+")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
STANDARDIZE_MODES = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT_MODES = ("whitespace", "character")


def _check_mode(value, allowed, argument):
    if value is None or callable(value) or value in allowed:
        return
    raise ValueError(
        f"Invalid value for argument `{argument}`. Expected one of {allowed}, None or a callable. "
        f"Received: {argument}={value!r} (layer TextVectorization)"
    )


def ngrams_of(tokens, widths):
    return [" ".join(tokens[i : i + width]) for width in widths for i in range(len(tokens) - width + 1)]


class TextVectorization(HostLayer):
    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode="int",
        output_sequence_length=None,
        pad_to_max_tokens=False,
        vocabulary=None,
        idf_weights=None,
        sparse=False,
        ragged=False,
        encoding="utf-8",
        name=None,
        **kwargs,
    ):
        if ragged:
            raise ValueError(
                f"`ragged=True` is not supported: kerasish has no ragged tensors. Received: ragged={ragged}"
            )
        _check_mode(standardize, STANDARDIZE_MODES, "standardize")
        _check_mode(split, SPLIT_MODES, "split")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if not (
            ngrams is None
            or (isinstance(ngrams, int) and not isinstance(ngrams, bool))
            or (isinstance(ngrams, tuple) and all(isinstance(item, int) for item in ngrams))
        ):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (isinstance(output_sequence_length, int) or output_sequence_length is None):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                f"Received: output_sequence_length={output_sequence_length}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}."
            )
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            sparse=sparse,
            has_input_vocabulary=has_input_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )

    # ----- the steps -----------------------------------------------------------------------

    def _standardized(self, strings):
        """A numpy array of str, standardized."""
        if callable(self._standardize):
            result = host_array(self._standardize(strings), self.describe)
            return numpy.asarray([_text(s, self._encoding) for s in result.ravel().tolist()], dtype=object).reshape(
                result.shape
            )
        flat = strings.ravel().tolist()
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            flat = [s.translate(ASCII_LOWER) for s in flat]
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [PUNCTUATION.sub("", s) for s in flat]
        return numpy.asarray(flat, dtype=object).reshape(strings.shape)

    def _tokens(self, inputs):
        """One list of tokens per input string (split), or the strings themselves (split=None)."""
        strings = host_array(inputs, self.describe)
        strings = numpy.asarray([_text(s, self._encoding) for s in strings.ravel().tolist()], dtype=object).reshape(
            strings.shape
        )
        strings = self._standardized(strings)
        if self._split is None:
            if strings.ndim == 0:
                strings = strings.reshape(1)
            rows = [[str(s) for s in row] for row in strings.reshape(strings.shape[0], -1).tolist()]
        else:
            if strings.ndim > 1:
                if strings.shape[-1] != 1:
                    raise ValueError(
                        "When using `TextVectorization` to tokenize strings, the input rank must be 1 or the "
                        f"last shape dimension must be 1. Received: inputs.shape={strings.shape} with "
                        f"rank={strings.ndim}"
                    )
                strings = strings.reshape(strings.shape[:-1])
            if strings.ndim == 0:
                strings = strings.reshape(1)
            if self._split == "whitespace":
                rows = [[t for t in ASCII_WHITESPACE.split(s) if t] for s in strings.tolist()]
            elif self._split == "character":
                rows = [list(s) for s in strings.tolist()]
            else:
                rows = [
                    [_text(t, self._encoding) for t in host_array(row, self.describe).ravel().tolist()]
                    for row in self._split(strings)
                ]
        if self._ngrams is not None:
            rows = [ngrams_of(row, self._ngrams) for row in rows]
        return rows

    # ----- adapt and the vocabulary ------------------------------------------------------------

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (most frequent tokens first) of `data`: strings or batches of strings."""
        self.reset_state()
        if isinstance(data, (list, tuple)) and not (data and hasattr(data[0], "shape")):
            data = numpy.asarray(data, dtype=object)
        for batch in adapt_batches(data, self, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        self._lookup_layer.count_documents(self._tokens(data))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

    # ----- calling -------------------------------------------------------------------------

    def build(self, input_shape=None):
        pass

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = tuple(input_shape) + (1,)
        else:  # (batch, 1) strings are split as (batch,), one row of tokens each
            if len(input_shape) > 1 and input_shape[-1] == 1:
                input_shape = tuple(input_shape)[:-1]
            input_shape = tuple(input_shape) + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    def call(self, inputs):
        rows = self._tokens(inputs)
        length = max((len(row) for row in rows), default=0)
        if self._output_mode == "int":
            length = length if self._output_sequence_length is None else self._output_sequence_length
        padded = numpy.asarray([row[:length] + [""] * (length - len(row[:length])) for row in rows], dtype=object)
        padded = padded.reshape(len(rows), length)
        return IndexLookup.call(self._lookup_layer, padded)

    def get_config(self):
        lookup = self._lookup_layer

        def callable_or_name(value):
            return serialize_keras_object(value) if callable(value) else value

        def listed(value):
            return numpy.asarray(value).tolist() if value is not None and not isinstance(value, str) else value

        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": callable_or_name(self._standardize),
            "split": callable_or_name(self._split),
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": lookup.sparse,
            "ragged": False,
            "vocabulary": listed(lookup.input_vocabulary),
            "idf_weights": listed(lookup.input_idf_weights),
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("standardize", "split"):
            if config.get(key) is not None and not isinstance(config[key], str):
                config[key] = deserialize_keras_object(config[key])
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return super().from_config(config)


def _text(value, encoding):
    return value.decode(encoding) if isinstance(value, bytes) else str(value)
