"""Mean squared error's per-sample values as one op (`mean_squared_difference`) and its gradient as one op:
bit for bit the values and gradients of the subtract, square and mean it replaces, on both engines, in
float32 and float64, broadcasting operands included; second order against the composite and finite
differences; operands that do not broadcast refused with their shapes."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.primitives.squared_difference import mean_squared_difference

from ..ops.engines import assert_gradients_match_finite_differences, run

RNG = numpy.random.default_rng(11)
SHAPES = [((8, 1), (8, 1)), ((5, 3), (5, 3)), ((2, 4, 3), (3,)), ((4,), (2, 4))]


def _composite(a, b):
    return ops.mean(ops.square(a - b), axis=-1)


def _value_and_gradients(function, direction):
    def step(a, b):
        with kerasish.GradientTape() as tape:
            tape.watch([a, b])
            value = function(a, b)
            projected = ops.sum(value * direction)
        return [value, *tape.gradient(projected, [a, b])]

    return step


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_values_and_gradients_are_the_composite_ones_bit_for_bit(engine, shapes, dtype):
    a, b = (RNG.standard_normal(shape).astype(dtype) for shape in shapes)
    direction = RNG.standard_normal(numpy.broadcast_shapes(*shapes)[:-1]).astype(dtype)
    fused = run(engine, _value_and_gradients(mean_squared_difference, direction), a, b)
    composite = run(engine, _value_and_gradients(_composite, direction), a, b)
    for got, expected in zip(fused, composite):
        assert got.dtype == expected.dtype == numpy.dtype(dtype)
        assert got.shape == expected.shape
        numpy.testing.assert_array_equal(got, expected)


def _second_order(function):
    def first_gradient(a, b):
        with kerasish.GradientTape() as tape:
            tape.watch([a, b])
            value = ops.sum(ops.sin(function(a, b)))
        return ops.concatenate([ops.reshape(g, (-1,)) for g in tape.gradient(value, [a, b])])

    return first_gradient


@pytest.mark.parametrize("shapes", SHAPES[1:3], ids=str)
def test_second_order_gradients_are_the_composite_ones(engine, shapes):
    a, b = (RNG.standard_normal(shape) for shape in shapes)
    direction = RNG.standard_normal(sum(numpy.prod(shape) for shape in shapes))

    def hessian_products(function):
        def products(a, b):
            with kerasish.GradientTape() as tape:
                tape.watch([a, b])
                value = ops.sum(_second_order(function)(a, b) * direction)
            return tape.gradient(value, [a, b])

        return products

    fused = run(engine, hessian_products(mean_squared_difference), a, b)
    composite = run(engine, hessian_products(_composite), a, b)
    for got, expected in zip(fused, composite):
        numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert_gradients_match_finite_differences(engine, _second_order(mean_squared_difference), a, b)


def test_operands_that_do_not_broadcast_are_refused_with_their_shapes(engine):
    with pytest.raises(ValueError, match=r"shapes \(3, 4\), \(3, 5\) cannot be broadcast together"):
        run(engine, mean_squared_difference, numpy.zeros((3, 4), "float32"), numpy.zeros((3, 5), "float32"))


def test_the_loss_records_one_op_and_plays_back_one():
    """What the fusion is for: on a tape, mean_squared_error's values are one op and their gradient one op (an
    outer tape records both)."""
    a, b = (Tensor(RNG.standard_normal((4, 2)).astype("float32")) for _ in range(2))
    with kerasish.GradientTape() as outer:
        outer.watch(b)
        with kerasish.GradientTape() as inner:
            inner.watch(b)
            value = kerasish.losses.mean_squared_error(a, b)
        inner.gradient(value, b, output_gradients=Tensor(numpy.ones((4,), "float32")))
    assert [record.primitive.name for record in outer._records] == [
        "mean_squared_difference",
        "mean_squared_difference_gradient",
    ]
