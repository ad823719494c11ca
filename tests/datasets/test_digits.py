import hashlib

import numpy

from kerasish.datasets import digits


def test_the_bundled_file_is_the_documented_one():
    with open(digits.DATA_FILE, "rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == (
            "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
        )


def test_shapes_dtypes_ranges_and_a_fixed_split():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == y_train.dtype == numpy.uint8
    assert x_train.max() == 16 and x_train.min() == 0
    assert sorted(set(y_train.tolist())) == list(range(10)) and sorted(set(y_test.tolist())) == list(range(10))
    (again, _), _ = digits.load_data()
    numpy.testing.assert_array_equal(again, x_train)


def test_the_first_image_is_a_zero():
    (x_train, y_train), _ = digits.load_data()
    assert y_train[0] == 0
    assert x_train[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert x_train[0, 3, 1] == 4 and x_train[0, 3, 3:5].tolist() == [0, 0]  # the hole in the middle


def test_the_labels_match_the_images_by_nearest_neighbour():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    train, test = x_train.reshape(-1, 64).astype("float32"), x_test.reshape(-1, 64).astype("float32")
    distances = (test**2).sum(1)[:, None] - 2 * test @ train.T + (train**2).sum(1)[None]
    assert (y_train[distances.argmin(1)] == y_test).mean() > 0.95
