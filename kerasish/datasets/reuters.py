"""Reuters newswires: 11,228 newswires as word-index sequences, labelled over 46 topics."""

import json

import numpy

from kerasish.datasets.origins import GOOGLEAPIS, file_hash, origin
from kerasish.datasets.safe_unpickle import load_npz
from kerasish.datasets.word_sequences import drop_long, limit_vocabulary, object_array, shift_indices
from kerasish.utils.file_utils import get_file

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Returns `(x_train, y_train), (x_test, y_test)`: x object arrays of lists of word indices (the most
    frequent word is 1 + index_from), y int topic labels (0..45, see `get_label_names`). The newswires are
    shuffled with `seed`, filtered (`maxlen` drops longer ones, `num_words`/`skip_top` limit the
    vocabulary as in `imdb.load_data`), then the last `test_split` of them are the test set."""
    url = f"{GOOGLEAPIS}reuters.npz"
    arrays = load_npz(get_file(fname=path, origin=origin(url), file_hash=file_hash(url)))
    sequences, labels = arrays["x"], arrays["y"]
    order = numpy.arange(len(sequences))
    numpy.random.RandomState(seed).shuffle(order)
    sequences, labels = shift_indices(sequences[order], start_char, index_from), labels[order]
    if maxlen:
        sequences, labels = drop_long(maxlen, sequences, labels)
    sequences = limit_vocabulary(sequences, num_words, skip_top, oov_char)
    split_at = int(len(sequences) * (1 - test_split))
    return (object_array(sequences[:split_at]), labels[:split_at]), (
        object_array(sequences[split_at:]),
        labels[split_at:],
    )


def get_word_index(path="reuters_word_index.json"):
    """The dictionary from words to their indices (before `index_from` is added)."""
    url = f"{GOOGLEAPIS}reuters_word_index.json"
    with open(get_file(path, origin=origin(url), file_hash=file_hash(url))) as file:
        return json.load(file)


def get_label_names():
    """The 46 topic names, indexed as the labels."""
    return LABEL_NAMES
