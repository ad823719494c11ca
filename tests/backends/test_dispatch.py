"""One op's way to its engine (backends/dispatch.py, backends/dynamic/engine.py): an eager op goes to the dynamic
engine unranked, which hands an op on a graph tensor back to the ranks; the engine's inputs of every kind; the
dynamic Tensor's shape and dtype; `cast` and `convert_to_tensor` of a tensor that already has the dtype."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.primitives.registry import PRIMITIVES


def _tensor(rng, shape=(2, 3)):
    return Tensor(rng.standard_normal(shape).astype("float32"))


@pytest.mark.parametrize(
    "make_inputs",
    [
        lambda t, v, s: (s, t),
        lambda t, v, s: (t, s),
        lambda t, v, s: (v, s),
        lambda t, v, s: (numpy.ones((2, 3), "float32"), s),
        lambda t, v, s: ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], s),
        lambda t, v, s: (2.0, s),
    ],
    ids=[
        "symbolic-tensor",
        "tensor-symbolic",
        "variable-symbolic",
        "array-symbolic",
        "list-symbolic",
        "number-symbolic",
    ],
)
def test_an_op_on_a_keras_tensor_beside_eager_values_is_symbolic(make_inputs):
    rng = numpy.random.default_rng(0)
    inputs = make_inputs(_tensor(rng), kerasish.Variable(numpy.ones((2, 3), "float32")), kerasish.KerasTensor((2, 3)))
    result = ops.add(*inputs)
    assert isinstance(result, kerasish.KerasTensor)
    assert result.shape == (2, 3) and result.dtype == numpy.float32
    assert result.node.operation is PRIMITIVES["add"]


def test_a_three_input_op_on_a_keras_tensor_is_symbolic():
    condition = Tensor(numpy.array([[True, False, True]]))
    result = ops.where(condition, kerasish.KerasTensor((2, 3)), kerasish.Variable(numpy.ones((2, 3), "float32")))
    assert isinstance(result, kerasish.KerasTensor) and result.shape == (2, 3)


def test_an_op_that_runs_as_two_while_a_tape_records_stays_one_on_keras_tensors():
    q, k, v = (kerasish.KerasTensor((2, 5, 3, 4)) for _ in range(3))
    with kerasish.GradientTape():
        result = ops.dot_product_attention(q, k, v)
    assert isinstance(result, kerasish.KerasTensor) and result.shape == (2, 5, 3, 4)
    assert result.node.operation.name == "dot_product_attention"


def _kinds(x, kind):
    if kind == "tensor":
        return Tensor(x)
    if kind == "variable":
        return kerasish.Variable(x)
    return x  # a numpy array


@pytest.mark.parametrize("kinds", [("tensor",), ("variable",), ("array",)])
def test_one_input_of_each_kind_gives_the_array_op(kinds):
    x = numpy.random.default_rng(1).standard_normal((3, 4)).astype("float32")
    expected = numpy.sum(x, axis=1)
    for attrs in ({"axis": 1}, {"axis": 1, "keepdims": False}):
        result = ops.sum(_kinds(x, kinds[0]), **attrs)
        assert type(result) is Tensor and result.dtype == numpy.float32
        numpy.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("first", ["tensor", "variable", "array"])
@pytest.mark.parametrize("second", ["tensor", "variable", "array"])
def test_two_inputs_of_each_kind_give_the_array_op(first, second):
    rng = numpy.random.default_rng(2)
    x, y = rng.standard_normal((3, 4)).astype("float32"), rng.standard_normal((4, 2)).astype("float32")
    result = ops.matmul(_kinds(x, first), _kinds(y, second))
    assert type(result) is Tensor and result.shape == (3, 2) and result.dtype == numpy.float32
    numpy.testing.assert_array_equal(result.numpy(), x @ y)
    numpy.testing.assert_array_equal(ops.subtract(_kinds(x, first), _kinds(x, second)).numpy(), numpy.zeros((3, 4)))


@pytest.mark.parametrize("kinds", [("tensor", "variable", "variable"), ("variable", "tensor", "array"), ("array",) * 3])
def test_three_inputs_of_each_kind_give_the_array_op(kinds):
    rng = numpy.random.default_rng(3)
    condition = rng.standard_normal((2, 3)) > 0
    x, y = rng.standard_normal((2, 3)).astype("float32"), rng.standard_normal((2, 3)).astype("float32")
    result = ops.where(*(_kinds(a, kind) for a, kind in zip((condition, x, y), kinds)))
    assert type(result) is Tensor and result.shape == (2, 3) and result.dtype == numpy.float32
    numpy.testing.assert_array_equal(result.numpy(), numpy.where(condition, x, y))


def test_python_numbers_stay_weak_beside_an_array_and_become_floatx_alone():
    half = Tensor(numpy.ones((2,), "float16"))
    assert (half * 2.0).dtype == numpy.float16
    assert ops.add(half, 1).dtype == numpy.float16
    assert ops.where(Tensor(numpy.array([True, False])), half, 0.5).dtype == numpy.float16
    alone = ops.add(1.5, 2.0)
    assert type(alone) is Tensor and alone.dtype == numpy.float32 and float(alone) == 3.5
    assert ops.add(1, 2).dtype.kind == "i"


def test_bad_input_is_the_op_s_error_on_every_path():
    with pytest.raises(ValueError, match="matmul"):
        ops.matmul(Tensor(numpy.ones((2, 3), "float32")), Tensor(numpy.ones((2, 3), "float32")))
    with pytest.raises(ValueError, match="add: an input is not a tensor, array or rectangular list"):
        ops.add([[1.0], [2.0, 3.0]], Tensor(numpy.ones((2,), "float32")))


@pytest.mark.parametrize("dtype", ["float32", "int8", "bool", "float16"])
def test_a_tensor_s_shape_and_dtype_are_its_array_s(dtype):
    array = numpy.zeros((2, 0, 3), dtype)
    for tensor in (Tensor(array), ops.negative(Tensor(array)) if dtype != "bool" else ops.logical_not(Tensor(array))):
        assert tensor.shape == (2, 0, 3) and type(tensor.shape) is tuple
        assert tensor.dtype == numpy.dtype(dtype) and tensor.ndim == 3
    scalar = ops.sum(Tensor(numpy.ones((3,), "float32")))
    assert scalar.shape == () and scalar.dtype == numpy.float32


def test_a_cast_to_the_dtype_a_tensor_has_is_the_tensor():
    x = Tensor(numpy.ones((2,), "float32"))
    assert ops.cast(x, x.dtype) is x
    assert ops.cast(x, "float32") is x and ops.cast(x, numpy.float32) is x
    assert ops.convert_to_tensor(x) is x and ops.convert_to_tensor(x, "float32") is x
    assert ops.convert_to_tensor(x, x.dtype) is x
    symbolic = kerasish.KerasTensor((None, 2))
    assert ops.cast(symbolic, "float32") is symbolic
    cast = ops.cast(x, "float16")
    assert cast is not x and cast.dtype == numpy.float16


def test_a_cast_of_a_variable_is_a_new_tensor_that_later_assignments_leave_alone():
    variable = kerasish.Variable(numpy.ones((2,), "float32"))
    read = ops.cast(variable, variable.dtype)
    assert type(read) is Tensor and read.dtype == numpy.float32
    variable.assign(numpy.zeros((2,), "float32"))
    numpy.testing.assert_array_equal(read.numpy(), numpy.ones((2,)))
    with pytest.raises(TypeError, match="cast: .*dtype='no dtype'"):
        ops.cast(variable, "no dtype")
