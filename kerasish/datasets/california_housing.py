"""California housing prices (StatLib, the 1990 U.S. census): 20,640 block groups of 8 features
(MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude, Longitude), targets the median
house value in dollars."""

import numpy

from kerasish.datasets.housing_split import check_test_split, shuffle_and_split
from kerasish.datasets.origins import GOOGLEAPIS, file_hash, origin
from kerasish.utils.file_utils import get_file

SMALL_VERSION_ROWS = 600


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Returns `(x_train, y_train), (x_test, y_test)`: x float (N, 8), y float (N,), shuffled with `seed`,
    the last `test_split` of them the test set. `version="small"` keeps the first 600 samples."""
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version}")
    url = f"{GOOGLEAPIS}california_housing.npz"
    path = get_file(path, origin=origin(url), file_hash=file_hash(url))
    with numpy.load(path, allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:SMALL_VERSION_ROWS], y[:SMALL_VERSION_ROWS]
    return shuffle_and_split(x, y, test_split, seed)
