"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8, labels 0..9."""

import numpy

from kerasish.datasets.origins import GOOGLEAPIS, file_hash, origin
from kerasish.utils.file_utils import get_file


def load_data(path="mnist.npz"):
    """Returns `(x_train, y_train), (x_test, y_test)`: x uint8 (N, 28, 28) in 0..255, y uint8 (N,)."""
    url = f"{GOOGLEAPIS}mnist.npz"
    path = get_file(fname=path, origin=origin(url), file_hash=file_hash(url))
    with numpy.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
