"""CIFAR-100: 50,000 training and 10,000 test colour images, 32x32, in 100 fine or 20 coarse classes."""

import os

import numpy

from kerasish.datasets.cifar import load_batch, to_image_data_format
from kerasish.datasets.origins import TORONTO, file_hash, origin
from kerasish.utils.file_utils import get_file


def load_data(label_mode="fine"):
    """Returns `(x_train, y_train), (x_test, y_test)`: x uint8 (N, 32, 32, 3) (channels_last) or
    (N, 3, 32, 32), y int64 (N, 1) with the `label_mode` ("fine" or "coarse") labels."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    url = f"{TORONTO}cifar-100-python.tar.gz"
    path = get_file(fname="cifar-100-python-target", origin=origin(url), extract=True, file_hash=file_hash(url))
    path = os.path.join(path, "cifar-100-python")
    splits = []
    for name in ("train", "test"):
        x, y = load_batch(os.path.join(path, name), label_key=f"{label_mode}_labels")
        splits.append((to_image_data_format(x), numpy.reshape(y, (len(y), 1))))
    return tuple(splits)
