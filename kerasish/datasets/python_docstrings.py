"""Python docstrings: 1506 short English texts, the first paragraph of the docstring of each public
function, class and method of 70 modules of the Python 3.11 standard library, labelled with the topic of
the module: 0 files, 1 network, 2 text, 3 numbers (see `get_label_names`).

Bundled with kerasish (data/python_docstrings.csv.gz, 37 KB, made by tools/make_python_docstrings.py;
Python Software Foundation License, see data/python_docstrings_LICENSE.txt), so text examples and tests
run without a network.
"""

import csv
import gzip
import io
import os

import numpy

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "python_docstrings.csv.gz")
LABEL_NAMES = ("files", "network", "text", "numbers")


def load_data(test_split=0.2, seed=113):
    """Returns `(x_train, y_train), (x_test, y_test)` as Keras's text loaders split them: the samples
    shuffled with `seed`, the last `test_split` of them the test set. x: numpy arrays of str (one text
    each), y: int64 topic indices."""
    if not 0 < test_split < 1:
        raise ValueError(f"`test_split` must be between 0 and 1 (exclusive). Received: test_split={test_split}")
    with gzip.open(DATA_FILE, "rb") as file:
        rows = list(csv.reader(io.StringIO(file.read().decode("utf-8"))))[1:]
    texts = numpy.asarray([text for _, text in rows], dtype=object)
    labels = numpy.asarray([int(label) for label, _ in rows], dtype="int64")
    order = numpy.random.RandomState(seed).permutation(len(rows))
    texts, labels = texts[order], labels[order]
    split_at = int(len(rows) * (1 - test_split))
    return (texts[:split_at], labels[:split_at]), (texts[split_at:], labels[split_at:])


def get_label_names():
    return LABEL_NAMES
