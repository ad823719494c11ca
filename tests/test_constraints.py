import numpy
import pytest

from kerasish import constraints
from kerasish.backends.dynamic import Tensor

W = numpy.array([[3.0, 0.1], [4.0, -0.2]], dtype="float32")


def column_norms(w):
    return numpy.sqrt((w**2).sum(0))


def test_constraints():
    numpy.testing.assert_allclose(
        column_norms(constraints.MaxNorm(2.0)(Tensor(W)).numpy()), [2.0, column_norms(W)[1]], rtol=1e-5
    )
    numpy.testing.assert_array_equal(constraints.NonNeg()(Tensor(W)).numpy(), numpy.maximum(W, 0))
    numpy.testing.assert_allclose(column_norms(constraints.UnitNorm()(Tensor(W)).numpy()), 1.0, rtol=1e-5)
    numpy.testing.assert_allclose(
        column_norms(constraints.MinMaxNorm(1.0, 2.0)(Tensor(W)).numpy()), [2.0, 1.0], rtol=1e-5
    )


def test_serialization_and_layer_wiring():
    config = constraints.serialize(constraints.MaxNorm(3, axis=1))
    assert config["config"] == {"max_value": 3, "axis": 1}
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    from kerasish import layers

    layer = layers.Dense(2, kernel_constraint="unit_norm")
    layer(numpy.ones((1, 2), "float32"))
    assert isinstance(layer.kernel.constraint, constraints.UnitNorm)
    with pytest.raises(ValueError, match="'nope'"):
        constraints.get("nope")
