"""The primitive contract in half precision: float16 (and bfloat16, where ml_dtypes gives numpy one) in gives
the same dtype out, forwards and backwards, on both engines, with no silent upcast; integers never widen a
float16 operand (Keras's promotion lattice)."""

import numpy
import pytest

import kerasish
from kerasish import ops

RNG = numpy.random.default_rng(2)
X = (numpy.abs(RNG.normal(size=(2, 6, 6, 3))) * 0.5 + 0.1).astype("float32")
LABELS = numpy.eye(3, dtype="float32")[RNG.integers(0, 3, size=(2, 6, 6))]
KERNEL = RNG.normal(size=(3, 3, 3, 2)).astype("float32")

UNARY = {
    name: getattr(ops, name)
    for name in (
        "abs",
        "exp",
        "log",
        "sqrt",
        "square",
        "tanh",
        "sigmoid",
        "relu",
        "relu6",
        "gelu",
        "silu",
        "softplus",
        "softsign",
        "elu",
        "selu",
        "leaky_relu",
        "hard_sigmoid",
        "softmax",
        "log_softmax",
        "sin",
        "cos",
        "negative",
        "reciprocal",
        "erf",
        "mean",
        "sum",
        "max",
        "min",
        "var",
        "std",
        "logsumexp",
        "cumsum",
        "median",
    )
}
UNARY.update(
    {
        "divide_by_int": lambda x: ops.divide(x, 3),
        "times_int_tensor": lambda x: x * ops.convert_to_tensor(numpy.int32(3)),
        "power": lambda x: ops.power(x, 2.0),
        "matmul": lambda x: ops.matmul(x, ops.transpose(x, (0, 1, 3, 2))),
        "einsum": lambda x: ops.einsum("bhwc,bhvc->bhwv", x, x),
        "conv": lambda x: ops.conv(x, ops.cast(KERNEL, x.dtype), padding="same"),
        "max_pool": lambda x: ops.max_pool(x, 2),
        "average_pool": lambda x: ops.average_pool(x, 2),
        "moments": lambda x: ops.moments(x, axes=[0, 1, 2])[1],
        "normalize": lambda x: ops.normalize(x),
        "where": lambda x: ops.where(x > 0.3, x, 0.0),
        "maximum": lambda x: ops.maximum(x, ops.flip(x, 1)),
        "categorical_crossentropy": lambda x: ops.categorical_crossentropy(ops.cast(LABELS, x.dtype), ops.softmax(x)),
        "binary_crossentropy": lambda x: ops.binary_crossentropy(ops.cast(LABELS, x.dtype), ops.sigmoid(x)),
    }
)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_float16_in_float16_out_forwards_and_backwards(name, engine):
    variable = kerasish.Variable(X, dtype="float16")

    @kerasish.function(engine=engine)
    def step():
        with kerasish.GradientTape() as tape:
            outputs = UNARY[name](variable)
            loss = ops.sum(ops.cast(outputs, "float32"))
        return outputs, tape.gradient(loss, variable)

    with numpy.errstate(all="ignore"):
        outputs, gradient = step()
    assert outputs.dtype == "float16", name
    assert gradient.dtype == "float16", name


@pytest.mark.parametrize("other", ["int8", "int32", "int64", "uint8", "bool"])
def test_integers_never_widen_float16(other):
    keras = pytest.importorskip("keras")
    half = ops.convert_to_tensor(numpy.ones((2,), "float16"))
    integer = ops.convert_to_tensor(numpy.ones((2,), other))
    expected = keras.backend.result_type("float16", other)
    for op in (ops.add, ops.multiply, ops.subtract, ops.maximum):
        assert op(half, integer).dtype == expected == "float16"
        assert op(integer, half).dtype == expected


@pytest.mark.parametrize("name", ["exp", "softmax", "matmul", "einsum", "conv", "max_pool", "categorical_crossentropy"])
def test_bfloat16_in_bfloat16_out(name, engine):
    pytest.importorskip("ml_dtypes")
    variable = kerasish.Variable(X, dtype="float32")

    @kerasish.function(engine=engine)
    def step():
        with kerasish.GradientTape() as tape:
            outputs = UNARY[name](ops.cast(variable, "bfloat16"))
            loss = ops.sum(ops.cast(outputs, "float32"))
        return outputs, tape.gradient(loss, variable)

    outputs, gradient = step()
    assert str(outputs.dtype) == "bfloat16", name
    assert gradient.dtype == "float32" and numpy.all(numpy.isfinite(gradient.numpy())), name
