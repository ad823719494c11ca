import numpy
import pytest

from kerasish import activations
from kerasish.backends.dynamic import Tensor

X = numpy.linspace(-3, 3, 13).astype("float32").reshape(1, 13)


def sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


REFERENCES = {
    "relu": lambda x: numpy.maximum(x, 0),
    "relu6": lambda x: numpy.clip(x, 0, 6),
    "leaky_relu": lambda x: numpy.where(x > 0, x, 0.2 * x),
    "sigmoid": sigmoid,
    "tanh": numpy.tanh,
    "softplus": lambda x: numpy.log1p(numpy.exp(x)),
    "softsign": lambda x: x / (1 + numpy.abs(x)),
    "elu": lambda x: numpy.where(x > 0, x, numpy.exp(x) - 1),
    "silu": lambda x: x * sigmoid(x),
    "swish": lambda x: x * sigmoid(x),
    "exponential": numpy.exp,
    "linear": lambda x: x,
    "selu": lambda x: 1.0507009873554805 * numpy.where(x > 0, x, 1.6732632423543772 * (numpy.exp(x) - 1)),
    "hard_sigmoid": lambda x: numpy.clip(x / 6 + 0.5, 0, 1),
    "softmax": lambda x: numpy.exp(x) / numpy.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - numpy.log(numpy.exp(x).sum(-1, keepdims=True)),
    "gelu": lambda x: 0.5 * x * (1 + numpy.vectorize(__import__("math").erf)(x / numpy.sqrt(2))),
    "mish": lambda x: x * numpy.tanh(numpy.log1p(numpy.exp(x))),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_values_and_float32(name):
    result = activations.get(name)(Tensor(X))
    assert result.dtype == numpy.float32
    numpy.testing.assert_allclose(result.numpy(), REFERENCES[name](X.astype("float64")), rtol=1e-5, atol=1e-6)


def test_relu_options():
    y = activations.relu(Tensor(X), negative_slope=0.1, max_value=2.0, threshold=1.0).numpy()
    expected = numpy.where(X > 1.0, numpy.minimum(X, 2.0), 0.0) - 0.1 * numpy.maximum(1.0 - X, 0)
    numpy.testing.assert_allclose(y, expected, rtol=1e-6)


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.relu) == "relu"
    assert activations.deserialize("swish") is activations.silu
    assert activations.deserialize({"class_name": "function", "config": "tanh"}) is activations.tanh
    with pytest.raises(ValueError, match="'nope'"):
        activations.get("nope")
