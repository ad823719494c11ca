import numpy
import pytest

from kerasish.utils import split_dataset


def test_left_is_the_first_and_right_the_last_samples():
    x, y = numpy.arange(10).reshape(10, 1), numpy.arange(10)
    (x_left, y_left), (x_right, y_right) = split_dataset((x, y), left_size=0.8)
    assert y_left.tolist() == list(range(8)) and y_right.tolist() == [8, 9] and x_left.shape == (8, 1)
    left, right = split_dataset(numpy.arange(10), left_size=3, right_size=2)
    assert left.tolist() == [0, 1, 2] and right.tolist() == [8, 9]


def test_shuffled_with_a_seed_and_dicts_keep_their_keys():
    data = {"a": numpy.arange(20), "b": numpy.arange(20) * 2}
    left, right = split_dataset(data, right_size=0.25, shuffle=True, seed=1)
    assert set(left) == {"a", "b"} and (left["b"] == left["a"] * 2).all()
    assert sorted(left["a"].tolist() + right["a"].tolist()) == list(range(20)) and len(right["a"]) == 5
    again, _ = split_dataset(data, right_size=0.25, shuffle=True, seed=1)
    assert again["a"].tolist() == left["a"].tolist() != list(range(15))


def test_size_errors_follow_keras():
    data = numpy.arange(10)
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size` must be specified"):
        split_dataset(data)
    with pytest.raises(ValueError, match="`left_size` should be either a positive integer smaller than 10.*=1.5"):
        split_dataset(data, left_size=1.5)
    with pytest.raises(ValueError, match="greater than 1"):
        split_dataset(data, left_size=0.6, right_size=0.6)
    with pytest.raises(TypeError, match="Invalid `right_size` Type"):
        split_dataset(data, right_size="half")
    with pytest.raises(ValueError, match="the arrays must have the same length, received lengths \\[10, 3\\]"):
        split_dataset((data, data[:3]), left_size=0.5)
    with pytest.raises(ValueError, match="right side dataset split will be empty"):
        split_dataset(data, left_size=0.98)
