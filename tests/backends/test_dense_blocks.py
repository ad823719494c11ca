"""Dense products whose bias and relu run block by block of rows over tiles (backends/kernels/row_blocks): the
eager `dense`/`dense_relu` ops and the static plan's `matmul_bias_activation` (of a matmul or an einsum) give
the separate ops' numbers to the bit, nan and infinities included, forward and gradients, on results of several
blocks."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import Tensor
from kerasish.backends.kernels import row_blocks
from kerasish.backends.primitives.dense import dense, dense_relu
from kerasish.backends.static.fused import MATMUL_BIAS


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(row_blocks, "BLOCK", 64)
    monkeypatch.setattr(row_blocks, "TILED", 32)


def _operands(leading, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((*leading, 5)).astype(numpy.float32)
    x.flat[:3] = [numpy.nan, numpy.inf, -numpy.inf]
    return x, rng.standard_normal((5, 12)).astype(numpy.float32), rng.standard_normal(12).astype(numpy.float32)


def _composite(x, kernel, bias, relu):
    y = ops.add(ops.matmul(x, kernel), bias)
    return ops.relu(y) if relu else y


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # nan and infinities in the gradient's products
@pytest.mark.parametrize("relu", [True, False], ids=["relu", "linear"])
@pytest.mark.parametrize("leading", [(40,), (3, 15)], ids=["rows", "sequences"])
def test_eager_dense_on_many_blocks_is_the_composite_to_the_bit(relu, leading):
    x, kernel, bias = _operands(leading)
    weights = numpy.random.default_rng(3).standard_normal((*leading, 12)).astype(numpy.float32)

    def value_and_gradients(call):
        tensors = [Tensor(v) for v in (x, kernel, bias)]
        with kerasish.GradientTape() as tape:
            for tensor in tensors:
                tape.watch(tensor)
            y = call(*tensors)
            loss = ops.sum(ops.multiply(ops.where(ops.isfinite(y), y, 0.0), weights))
        return [numpy.asarray(v) for v in [y, *tape.gradient(loss, tensors)]]

    fused = value_and_gradients(lambda *a: (dense_relu if relu else dense)(*a))
    plain = value_and_gradients(lambda *a: _composite(*a, relu))
    assert numpy.isnan(fused[0]).any()
    for ours, expected in zip(fused, plain):
        numpy.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("activation", ["relu", "tanh", None])
@pytest.mark.parametrize("bias_shape", [(12,), (1, 1, 12), (1,)])
def test_static_matmul_bias_activation_on_many_blocks_is_the_separate_ops_to_the_bit(activation, bias_shape):
    x, kernel, _ = _operands((3, 15))
    bias = numpy.random.default_rng(4).standard_normal(bias_shape).astype(numpy.float32)
    symbols = [static.placeholder(v.shape) for v in (x, kernel, bias)]
    y = ops.add(ops.matmul(symbols[0], symbols[1]), symbols[2])
    y = getattr(ops, activation)(y) if activation else y
    fused = static.function(symbols, y, passes=["dead_code", "matmul_fusion"])
    plain = static.function(symbols, y, passes=["dead_code"])
    assert [step.node.op.name for step in fused.plan.steps] == ["matmul_bias_activation"]
    numpy.testing.assert_array_equal(fused(x, kernel, bias), plain(x, kernel, bias))


@pytest.mark.parametrize("activation", ["relu", None])
@pytest.mark.parametrize(
    ("equation", "kernel_shape", "bias_shape"),
    [
        ("abc,cde->abde", (5, 3, 4), (3, 4)),  # an attention projection: a bias per head and position
        ("abc,cde->abde", (5, 3, 4), (4,)),
        ("abc,cde->abde", (5, 3, 4), (3, 1)),  # spans no trailing axes as they are: added as it broadcasts
        ("abcd,cde->abe", (3, 4, 6), (6,)),  # the attention's output projection
        ("abc,dc->abd", (6, 5), (6,)),  # the kernel stored (columns, contracted): a transposed view
        ("abc,cd->bad", (5, 6), (6,)),  # the product's transposed view: not contiguous
    ],
)
def test_static_einsum_bias_activation_is_the_separate_ops_to_the_bit(equation, kernel_shape, bias_shape, activation):
    rng = numpy.random.default_rng(6)
    # over 1024 values: the product goes through _contract_pair (one matmul, its result maybe a transposed view)
    x = rng.standard_normal((12, 20, 5) if equation.startswith("abc,") else (12, 20, 3, 4)).astype(numpy.float32)
    x.flat[:3] = [numpy.nan, numpy.inf, -numpy.inf]
    kernel = rng.standard_normal(kernel_shape).astype(numpy.float32)
    bias = rng.standard_normal(bias_shape).astype(numpy.float32)
    symbols = [static.placeholder(v.shape) for v in (x, kernel, bias)]
    y = ops.add(ops.einsum(equation, symbols[0], symbols[1]), symbols[2])
    y = getattr(ops, activation)(y) if activation else y
    fused = static.function(symbols, y, passes=["dead_code", "matmul_fusion"])
    plain = static.function(symbols, y, passes=["dead_code"])
    assert [step.node.op.name for step in fused.plan.steps] == ["matmul_bias_activation"]
    numpy.testing.assert_array_equal(fused(x, kernel, bias), plain(x, kernel, bias))


def test_static_einsum_of_one_operand_is_not_fused():
    x = numpy.random.default_rng(7).standard_normal((40, 12)).astype(numpy.float32)
    symbols = [static.placeholder(x.shape), static.placeholder((40,))]
    y = ops.add(ops.einsum("ij->ji", symbols[0]), symbols[1])
    fused = static.function(symbols, y, passes=["dead_code", "matmul_fusion"])
    assert "matmul_bias_activation" not in [step.node.op.name for step in fused.plan.steps]
    bias = numpy.arange(40, dtype=numpy.float32)
    numpy.testing.assert_array_equal(fused(x, bias), x.T + bias)
    numpy.testing.assert_array_equal(x, numpy.random.default_rng(7).standard_normal((40, 12)).astype(numpy.float32))


def test_matmul_bias_never_writes_into_an_operand_that_a_product_returns():
    class Viewing:  # a product that is not `fresh` (an einsum may be, on some backend), returning a view of x
        fresh = False

        @staticmethod
        def forward(xp, x, w):
            return x[:, : w.shape[1]]

    x = numpy.random.default_rng(8).standard_normal((40, 12)).astype(numpy.float32)
    original, bias = x.copy(), numpy.arange(12, dtype=numpy.float32)
    result = MATMUL_BIAS.kernel(numpy, Viewing, "relu", (), True, 3)(x, numpy.zeros((12, 12), numpy.float32), bias)
    numpy.testing.assert_array_equal(x, original)
    numpy.testing.assert_array_equal(result, numpy.maximum(original + bias, 0))


def test_both_engines_give_the_same_dense_layer_on_many_blocks(engine):
    layer = kerasish.layers.Dense(12, activation="relu", bias_initializer="glorot_uniform")
    x, _, _ = _operands((3, 15), seed=5)
    x = numpy.nan_to_num(x)
    call = kerasish.function(layer, engine=engine) if engine == "static" else layer
    ours = numpy.asarray(call(x))
    kernel, bias = numpy.asarray(layer.kernel), numpy.asarray(layer.bias)
    expected = numpy.maximum(x @ kernel + bias, 0)
    numpy.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-6)
