"""Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28x28 uint8, labels 0..9."""

import gzip
import os

import numpy

from kerasish.datasets.origins import GOOGLEAPIS, file_hash, origin
from kerasish.utils.file_utils import get_file

_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data():
    """Returns `(x_train, y_train), (x_test, y_test)`: x uint8 (N, 28, 28) in 0..255, y uint8 (N,)."""
    paths = [
        get_file(
            name,
            origin=origin(GOOGLEAPIS + name),
            file_hash=file_hash(GOOGLEAPIS + name),
            cache_subdir=os.path.join("datasets", "fashion-mnist"),
        )
        for name in _FILES
    ]
    y_train, x_train, y_test, x_test = (_read_idx(path) for path in paths)
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path):
    """An IDX file (big-endian header: magic, then one uint32 per dimension), gzip-compressed."""
    with gzip.open(path, "rb") as file:
        data = file.read()
    dimensions = data[3]
    if data[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (header {data[:4]!r})")
    shape = tuple(numpy.frombuffer(data, ">u4", count=dimensions, offset=4).astype(int))
    return numpy.frombuffer(data, numpy.uint8, offset=4 + 4 * dimensions).reshape(shape)
