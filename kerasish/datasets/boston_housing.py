"""Boston housing prices (StatLib): 506 samples of 13 attributes, targets the median value in k$.

Keras warns, and so does kerasish, that the data set has an ethical problem (its "B" variable); use it
only to illustrate such issues, or use `california_housing` instead.
"""

import numpy

from kerasish.datasets.housing_split import check_test_split, shuffle_and_split
from kerasish.datasets.origins import GOOGLEAPIS, file_hash, origin
from kerasish.utils.file_utils import get_file


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Returns `(x_train, y_train), (x_test, y_test)`: x float64 (N, 13), y float64 (N,), shuffled with
    `seed`, the last `test_split` of them the test set."""
    check_test_split(test_split)
    url = f"{GOOGLEAPIS}boston_housing.npz"
    path = get_file(path, origin=origin(url), file_hash=file_hash(url))
    with numpy.load(path, allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"]
    return shuffle_and_split(x, y, test_split, seed)
