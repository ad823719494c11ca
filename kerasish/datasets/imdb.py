"""IMDB movie reviews: 25,000 training and 25,000 test reviews as word-index sequences, sentiment labels."""

import json

import numpy

from kerasish.datasets.origins import GOOGLEAPIS, file_hash, origin
from kerasish.datasets.safe_unpickle import load_npz
from kerasish.datasets.word_sequences import drop_long, limit_vocabulary, object_array, shift_indices
from kerasish.utils.file_utils import get_file


def load_data(
    path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3, **kwargs
):
    """Returns `(x_train, y_train), (x_test, y_test)`: x object arrays of lists of word indices (the most
    frequent word is 1 + index_from), y int labels (0 negative, 1 positive), each split shuffled with
    `seed`. `num_words` keeps the most frequent words (others become `oov_char`, or are dropped when
    it is None), `skip_top` drops the most frequent ones, `maxlen` drops longer sequences."""
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    url = f"{GOOGLEAPIS}imdb.npz"
    arrays = load_npz(get_file(fname=path, origin=origin(url), file_hash=file_hash(url)))
    rng = numpy.random.RandomState(seed)
    splits = []
    for x, labels in ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])):
        order = numpy.arange(len(x))
        rng.shuffle(order)
        splits.append((shift_indices(x[order], start_char, index_from), labels[order]))
    if maxlen:
        splits = [drop_long(maxlen, x, labels) for x, labels in splits]
        if not splits[0][0] or not splits[1][0]:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. Increase maxlen."
            )
    sequences = limit_vocabulary(splits[0][0] + splits[1][0], num_words, skip_top, oov_char)
    split_at = len(splits[0][0])
    return ((object_array(sequences[:split_at]), splits[0][1]), (object_array(sequences[split_at:]), splits[1][1]))


def get_word_index(path="imdb_word_index.json"):
    """The dictionary from words to their indices (before `index_from` is added)."""
    url = f"{GOOGLEAPIS}imdb_word_index.json"
    with open(get_file(fname=path, origin=origin(url), file_hash=file_hash(url))) as file:
        return json.load(file)
