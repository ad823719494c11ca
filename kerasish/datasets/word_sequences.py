"""Keras's word-index conventions for its text data sets (IMDB, Reuters): shifting indices, dropping
long sequences, limiting the vocabulary."""

import numpy


def shift_indices(sequences, start_char, index_from):
    """Each sequence with `index_from` added to every word and, unless None, `start_char` in front."""
    start = [start_char] if start_char is not None else []
    return [start + [w + index_from for w in x] for x in sequences]


def drop_long(maxlen, sequences, labels):
    """The sequences shorter than `maxlen`, with their labels."""
    kept = [i for i, x in enumerate(sequences) if len(x) < maxlen]
    return [sequences[i] for i in kept], labels[kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Words outside `skip_top <= w < num_words` become `oov_char`, or are dropped when it is None;
    without `num_words` the largest index is the bound (so, as in Keras, that word itself is out)."""
    if not num_words:
        num_words = max(max(x) for x in sequences)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def object_array(sequences):
    """A 1-D object array of lists (numpy would make a 2-D array of equal-length lists)."""
    array = numpy.empty(len(sequences), dtype=object)
    array[:] = sequences
    return array
