import numpy
import pytest

import kerasish
from kerasish.backends.dynamic import Tensor
from kerasish.utils import normalize, to_categorical


def test_to_categorical_shapes_and_float32():
    one_hot = to_categorical([0, 2, 1])
    assert one_hot.dtype == numpy.float32
    numpy.testing.assert_array_equal(one_hot, numpy.eye(3, dtype="float32")[[0, 2, 1]])
    assert to_categorical(numpy.array([[1], [3]]), num_classes=5).shape == (2, 5)
    assert to_categorical(numpy.zeros((2, 3), "uint8"), num_classes=4).shape == (2, 3, 4)
    numpy.testing.assert_array_equal(to_categorical(numpy.array([1.0, 0.0])), [[0, 1], [1, 0]])


def test_to_categorical_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"must be in \[0, 3\) for num_classes=3, received values from 0 to 5"):
        to_categorical([0, 5], num_classes=3)
    with pytest.raises(ValueError, match="expected integer class indices, received values of dtype float64"):
        to_categorical([0.5, 1.0])


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_to_categorical_on_tensors_uses_ops(engine):
    labels = numpy.array([2, 0], "int32")
    result = kerasish.function(lambda t: to_categorical(t, num_classes=3), engine=engine)(Tensor(labels))
    numpy.testing.assert_array_equal(numpy.asarray(result), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="`num_classes` is required for a tensor input.*shape \\(2,\\)"):
        to_categorical(Tensor(labels))


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_to_categorical_on_column_tensors_drops_the_last_axis(engine):
    labels = numpy.array([[2], [0]], "int32")
    result = kerasish.function(lambda t: to_categorical(t, num_classes=3), engine=engine)(Tensor(labels))
    numpy.testing.assert_array_equal(numpy.asarray(result), [[0, 0, 1], [1, 0, 0]])


def test_normalize_arrays_keeps_float32_and_zero_rows():
    x = numpy.array([[3.0, 4.0], [0.0, 0.0]], "float32")
    result = normalize(x)
    assert result.dtype == numpy.float32
    numpy.testing.assert_allclose(result, [[0.6, 0.8], [0.0, 0.0]])
    numpy.testing.assert_allclose(normalize(x, axis=0, order=1), [[1.0, 1.0], [0.0, 0.0]])


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_normalize_tensors_matches_arrays(engine):
    x = numpy.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    x[1] = 0
    result = kerasish.function(lambda t: normalize(t, axis=-1, order=2), engine=engine)(Tensor(x))
    numpy.testing.assert_allclose(numpy.asarray(result), normalize(x), rtol=1e-5, atol=1e-7)
    assert numpy.asarray(result).dtype == numpy.float32
    with pytest.raises(ValueError, match="`order` must be an int >= 1. Received: order=0.5"):
        normalize(Tensor(x), order=0.5)
