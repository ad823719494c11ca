"""Behaviour of the core ops beyond forward-vs-numpy: Keras's dtypes, gradient conventions (ties,
repeated indices, stop_gradient), higher order, unknown static dims and JSON-friendly index attributes."""

import json
import math

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import GradientTape, Tensor
from kerasish.backends.symbolic import KerasTensor


def _gradient(engine, fn, *arrays):
    """The gradient of sum(fn(*arrays)) with respect to each array, computed by `engine`."""
    arrays = [numpy.asarray(a, "float32") for a in arrays]
    if engine == "dynamic":
        tensors = [Tensor(a) for a in arrays]
        with GradientTape() as tape:
            tape.watch(tensors)
            loss = ops.sum(fn(*tensors))
        return [g.numpy() for g in tape.gradient(loss, tensors)]
    symbols = [static.placeholder(a.shape, a.dtype) for a in arrays]
    grads = static.gradients(ops.sum(fn(*symbols)), symbols)
    return [numpy.asarray(g) for g in static.function(symbols, grads)(*arrays)]


@pytest.mark.parametrize("reduce", [ops.max, ops.min])
def test_max_and_min_share_the_gradient_evenly_among_ties(engine, reduce):
    x = [[1.0, 3.0, 3.0], [-2.0, -2.0, 0.5]] if reduce is ops.max else [[1.0, -3.0, -3.0], [2.0, 2.0, 5.0]]
    (grad,) = _gradient(engine, lambda t: reduce(t, axis=1), x)
    expected = [[0, 0.5, 0.5], [0, 0, 1]] if reduce is ops.max else [[0, 0.5, 0.5], [0.5, 0.5, 0]]
    numpy.testing.assert_allclose(grad, expected)


def test_maximum_gives_a_tie_to_its_first_argument(engine):
    grads = _gradient(engine, ops.maximum, [1.0, 2.0], [1.0, 3.0])
    numpy.testing.assert_allclose(grads[0], [1, 0])
    numpy.testing.assert_allclose(grads[1], [0, 1])


def test_gradient_of_take_accumulates_repeated_indices(engine):
    (grad,) = _gradient(engine, lambda x: ops.take(x, numpy.array([0, 2, 0, 0]), axis=0), [[1.0, 2.0], [3, 4], [5, 6]])
    numpy.testing.assert_allclose(grad, [[3, 3], [0, 0], [1, 1]])


def test_gradient_of_a_mask_index_lands_on_the_selected_elements(engine):
    mask = numpy.array([True, False, True])
    (grad,) = _gradient(engine, lambda x: x[mask] * 2.0, [1.0, 2.0, 3.0])
    numpy.testing.assert_allclose(grad, [2, 0, 2])


def test_stop_gradient_blocks_the_gradient(engine):
    (grad,) = _gradient(engine, lambda x: x * ops.stop_gradient(x), [1.5, -2.0])
    numpy.testing.assert_allclose(grad, [1.5, -2.0])


@pytest.mark.parametrize(
    "name, fn, second",
    [
        ("power", lambda x: x**3, lambda x: 6 * x),
        ("matmul", lambda x: ops.matmul(ops.reshape(x, (1, 3)), ops.reshape(x, (3, 1))), lambda x: 2 * numpy.ones(3)),
        ("getitem", lambda x: ops.square(ops.take(x, numpy.array([0, 0, 2]))), lambda x: numpy.array([4.0, 0, 2])),
        ("einsum", lambda x: ops.einsum("i,i->", x, x * x), lambda x: 6 * x),
    ],
)
def test_second_order_gradients(engine, name, fn, second):
    """The gradient rules are ops, so the gradient of the gradient (summed) is the Hessian's row sums."""
    x = numpy.array([0.5, -1.0, 2.0], "float32")
    if engine == "dynamic":
        tensor = Tensor(x)
        with GradientTape() as outer:
            outer.watch(tensor)
            with GradientTape() as inner:
                inner.watch(tensor)
                value = ops.sum(fn(tensor))
            total = ops.sum(inner.gradient(value, tensor))
        result = outer.gradient(total, tensor).numpy()
    else:
        symbol = static.placeholder((3,), "float32")
        (first,) = static.gradients(ops.sum(fn(symbol)), [symbol])
        (hessian_rows,) = static.gradients(ops.sum(first), [symbol])
        result = static.function([symbol], hessian_rows)(x)
    numpy.testing.assert_allclose(result, second(x), rtol=1e-5)


@pytest.mark.parametrize(
    "expression, dtype",
    [
        (lambda: ops.multiply(numpy.array([1, 2], "int32"), 0.5), "float32"),
        (lambda: ops.divide(numpy.array([1, 2], "int32"), numpy.array([2, 2], "int32")), "float32"),
        (lambda: ops.add(numpy.array([1, 2], "int32"), 1), "int32"),
        (lambda: ops.power(numpy.array([1, 2], "int32"), 2), "int32"),
        (lambda: ops.mean(numpy.array([1, 2], "int32")), "float32"),
        (lambda: ops.sum(numpy.array([True, True])), "int32"),
        (lambda: ops.sum(numpy.array([1, 2], "uint8")), "uint32"),
        (lambda: ops.argmax(numpy.array([1.0, 2.0], "float32")), "int32"),
        (lambda: ops.sqrt(numpy.array([1, 4], "int8")), "float32"),
        (lambda: ops.where(numpy.array([True, False]), 1.0, 0.0), "float32"),
        (lambda: ops.arange(3), "int32"),
        (lambda: ops.arange(3.0), "float32"),
        (lambda: ops.zeros((2,)), "float32"),
        (lambda: ops.eye(2), "float32"),
        (lambda: ops.convert_to_tensor(numpy.zeros(2)), "float32"),
        (lambda: ops.convert_to_tensor([1, 2]), "int32"),
        (lambda: ops.convert_to_tensor(numpy.zeros(2), "float64"), "float64"),
        (lambda: ops.add(numpy.array([1.0], "float32"), ops.arange(1)), "float32"),
    ],
)
def test_dtypes_follow_keras(expression, dtype):
    assert expression().dtype == numpy.dtype(dtype)


def test_erf_is_accurate_to_float32_resolution():
    grid = numpy.linspace(-6, 6, 2001)
    expected = numpy.array([math.erf(v) for v in grid])
    assert numpy.abs(ops.erf(grid).numpy() - expected).max() < 2e-7


def test_gelu_exact_and_tanh_forms_differ_slightly():
    x = numpy.linspace(-3, 3, 13).astype("float32")
    difference = numpy.abs(ops.gelu(x).numpy() - ops.gelu(x, approximate=False).numpy())
    assert 1e-5 < difference.max() < 1e-3


def test_static_shapes_with_unknown_dims():
    x = KerasTensor((None, 4))
    assert x[:, 1:3].shape == (None, 2)
    assert x[0].shape == (4,)
    assert x[..., None].shape == (None, 4, 1)
    assert x[:, [0, 0, 1]].shape == (None, 3)
    assert x[KerasTensor((None, 4), "bool")].shape == (None,)
    assert ops.matmul(x, KerasTensor((4, 2))).shape == (None, 2)
    assert ops.einsum("bi,ij->bj", x, KerasTensor((4, 5))).shape == (None, 5)
    assert ops.reshape(x, (-1, 2)).shape == (None, 2)
    assert ops.concatenate([x, KerasTensor((3, 4))], axis=0).shape == (None, 4)
    assert ops.mean(x, axis=0).shape == (4,)
    assert ops.take(x, KerasTensor((2, 3), "int32"), axis=1).shape == (None, 2, 3)


def test_gradients_through_unknown_static_dims():
    """reshape and mean over a dimension the static shape does not know read the size at run time."""
    x = static.placeholder((None, None), name="x")
    loss = ops.mean(ops.square(ops.reshape(x, (-1,))))
    (grad,) = static.gradients(loss, [x])
    data = numpy.arange(6, dtype="float32").reshape(2, 3)
    numpy.testing.assert_allclose(static.function([x], grad)(data), 2 * data / 6, rtol=1e-6)


def test_getitem_index_attribute_is_json_friendly():
    x = KerasTensor((None, 3, 4))
    y = x[1:, None, ..., numpy.array([0, 1])]
    json.dumps(y.node.kwargs["index"])
    assert y.node.kwargs["index"] == (("slice", 1, None, None), None, "...", ("array", 1))
    assert y.shape == (None, 1, 3, 2)


def test_relu_gradient_is_the_product_with_the_mask_to_the_bit_and_to_second_order():
    """Eagerly relu's gradient is one op, `relu_gradient`; traced it stays `g * (output > 0)`: the same bits, nan,
    infinities and signed zeros included, and the same second order."""
    x = numpy.array([[1.5, -2.0, 0.0, numpy.nan], [3.0, -0.0, 1e-30, -7.0]], "float32")
    direction = numpy.array([[numpy.inf, -3.0, 2.0, 1.0], [-0.5, numpy.nan, -2.0, 4.0]], "float32")

    def first_and_second(x):
        x = ops.convert_to_tensor(x)
        with kerasish.GradientTape() as outer:
            outer.watch(x)
            with kerasish.GradientTape() as inner:
                inner.watch(x)
                value = ops.sum(ops.relu(x * x) * direction)
            gradient = inner.gradient(value, x)
            curvature = ops.sum(gradient * gradient)
        return gradient, outer.gradient(curvature, x)

    eager, traced = (kerasish.function(first_and_second, engine=engine)(x) for engine in ("dynamic", "static"))
    for ours, theirs in zip(eager, traced):
        ours, theirs = numpy.asarray(ours), numpy.asarray(theirs)
        assert ours.dtype == numpy.float32
        numpy.testing.assert_array_equal(ours.view(numpy.int32), theirs.view(numpy.int32))
