"""CIFAR-10: 50,000 training and 10,000 test colour images, 32x32, in 10 classes."""

import os

import numpy

from kerasish.datasets.cifar import load_batch, to_image_data_format
from kerasish.datasets.origins import TORONTO, file_hash, origin
from kerasish.utils.file_utils import get_file


def load_data():
    """Returns `(x_train, y_train), (x_test, y_test)`: x uint8 (N, 32, 32, 3) (channels_last) or
    (N, 3, 32, 32), y uint8 (N, 1)."""
    url = f"{TORONTO}cifar-10-python.tar.gz"
    path = get_file(fname="cifar-10-batches-py-target", origin=origin(url), extract=True, file_hash=file_hash(url))
    path = os.path.join(path, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = numpy.concatenate([x for x, _ in parts])
    y_train = numpy.concatenate([numpy.asarray(y, numpy.uint8) for _, y in parts])
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_test = numpy.asarray(y_test, numpy.uint8)
    return (
        (to_image_data_format(x_train), y_train.reshape(-1, 1)),
        (to_image_data_format(x_test), y_test.reshape(-1, 1)),
    )
