"""The shuffle-and-split Keras's regression data sets (Boston, California housing) share."""

import numpy


def check_test_split(test_split):
    if not (0 <= test_split < 1):
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 (exclusive of 1).")


def shuffle_and_split(x, y, test_split, seed):
    """`(x_train, y_train), (x_test, y_test)`: the rows shuffled with `numpy.random.RandomState(seed)`, the
    first `int(len(x) * (1 - test_split))` for training, as Keras splits them."""
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    split_at = int(len(x) * (1 - test_split))
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])
