"""Optical handwritten digits (UCI): 1797 images of 8x8 pixels with values 0..16, labels 0..9.

Bundled with kerasish (data/digits.csv.gz, CC BY 4.0; see data/digits_LICENSE.txt), so it loads
without a network: a small real dataset for examples and tests.
"""

import gzip
import os

import numpy

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")
TEST_FRACTION = 0.2


def load_data():
    """Returns `(x_train, y_train), (x_test, y_test)` like the Keras loaders: x uint8 (N, 8, 8) with values
    0..16 (not 0..255: scale by 1/16), y uint8 (N,). The split is fixed: the last 20% of the file
    (360 samples) is the test set, the first 1437 the training set."""
    with gzip.open(DATA_FILE, "rt") as file:
        table = numpy.loadtxt(file, delimiter=",", dtype=numpy.uint8)
    images, labels = table[:, :64].reshape(-1, 8, 8), table[:, 64]
    split_at = int(len(table) * (1 - TEST_FRACTION))
    return (images[:split_at], labels[:split_at]), (images[split_at:], labels[split_at:])
