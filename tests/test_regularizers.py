import numpy
import pytest

from kerasish import layers, regularizers
from kerasish.backends.dynamic import Tensor

W = numpy.array([[1.0, -2.0], [3.0, 0.5]], dtype="float32")


def test_penalties():
    assert float(regularizers.L1(0.1)(Tensor(W)).numpy()) == pytest.approx(0.65)
    assert float(regularizers.L2(0.1)(Tensor(W)).numpy()) == pytest.approx(1.425)
    assert float(regularizers.L1L2(0.1, 0.1)(Tensor(W)).numpy()) == pytest.approx(2.075)
    unit = numpy.eye(2, dtype="float32")
    assert float(regularizers.OrthogonalRegularizer(1.0)(Tensor(unit)).numpy()) == pytest.approx(0.0)


def test_layer_adds_weight_penalties_to_losses():
    layer = layers.Dense(2, kernel_regularizer="l2")
    layer(numpy.ones((1, 3), "float32"))
    (loss,) = layer.losses
    numpy.testing.assert_allclose(numpy.asarray(loss), 0.01 * (layer.kernel.numpy() ** 2).sum(), rtol=1e-6)


def test_serialization():
    config = regularizers.serialize(regularizers.L1L2(l1=0.5))
    assert config["class_name"] == "L1L2" and config["config"] == {"l1": 0.5, "l2": 0.0}
    assert isinstance(regularizers.deserialize(config), regularizers.L1L2)
    assert isinstance(regularizers.get("l1"), regularizers.L1)
    with pytest.raises(ValueError, match="l2=-1"):
        regularizers.L2(-1)


def test_orthogonal_regularizer_errors():
    with pytest.raises(ValueError, match="mode=diagonal"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match=r"rank 2.*\(2, 2, 2\)"):
        regularizers.OrthogonalRegularizer()(Tensor(numpy.ones((2, 2, 2), "float32")))
