"""Reading a batch file of the CIFAR-10/100 "python version" (a pickled dict, read with an allow-list)."""

import numpy

from kerasish.datasets.safe_unpickle import load_pickle


def load_batch(fpath, label_key="labels"):
    """Returns `(data, labels)`: uint8 (N, 3, 32, 32) and a list of ints."""
    batch = {key.decode("utf8"): value for key, value in load_pickle(fpath).items()}
    data = numpy.asarray(batch["data"], dtype=numpy.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_image_data_format(x):
    """(N, 3, 32, 32) as stored, or (N, 32, 32, 3) under `channels_last`."""
    from kerasish.backend import image_data_format

    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x
