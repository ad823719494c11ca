"""pad_sequences: lists of sequences of different lengths to one array, as in `keras.utils`."""

import numpy


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Returns an array `(len(sequences), maxlen) + sample_shape`; sequences longer than `maxlen` lose their
    start ("pre") or end ("post"), shorter ones are padded with `value` before ("pre") or after ("post")."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    lengths, sample_shape = [], None
    for x in sequences:
        if not hasattr(x, "__len__"):
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {x}")
        lengths.append(len(x))
        if sample_shape is None and len(x):
            sample_shape = numpy.asarray(x).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = numpy.issubdtype(dtype, numpy.str_) or numpy.issubdtype(dtype, numpy.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    padded = numpy.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for index, sequence in enumerate(sequences):
        if not len(sequence) or not maxlen:
            continue
        kept = numpy.asarray(sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {index} is different from "
                f"expected shape {sample_shape}"
            )
        if padding == "post":
            padded[index, : len(kept)] = kept
        else:
            padded[index, -len(kept) :] = kept
    return padded
