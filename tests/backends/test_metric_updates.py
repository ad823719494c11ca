"""`accumulate` (`total + value * weight` as one op, the loss tracker's update on every step): bit for bit the
separate multiply and add, values and gradients, on both engines; traced, the separate ops themselves."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.primitives.metric_updates import accumulate

from ..ops.engines import assert_gradients_match_finite_differences, run

RNG = numpy.random.default_rng(5)


def _composite(total, value, weight):
    return ops.add(total, ops.multiply(value, weight))


def _value_and_gradients(function):
    def step(total, value, weight):
        with kerasish.GradientTape() as tape:
            tape.watch([total, value, weight])
            result = function(total, value, weight)
            projected = ops.sum(ops.sin(result))
        return [result, *tape.gradient(projected, [total, value, weight])]

    return step


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shapes", [((), (), ()), ((3, 4), (4,), (3, 1))], ids=str)
def test_values_and_gradients_are_the_composite_ones_bit_for_bit(engine, shapes, dtype):
    total, value, weight = (
        (RNG.standard_normal(shape) * 10.0 ** RNG.integers(-3, 4)).astype(dtype) for shape in shapes
    )
    fused = run(engine, _value_and_gradients(accumulate), total, value, weight)
    composite = run(engine, _value_and_gradients(_composite), total, value, weight)
    for got, expected in zip(fused, composite):
        assert got.dtype == expected.dtype == numpy.dtype(dtype)
        numpy.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("weight", [1, 7, 128, 3 * 2**30, 0.5, 1e-3])
def test_a_python_number_weight_rounds_as_the_separate_ops(weight):
    totals = RNG.standard_normal(200).astype("float32") * 1e3
    values = RNG.standard_normal(200).astype("float32") * 10.0 ** RNG.integers(-8, 8, 200)
    for total, value in zip(totals, values):
        total, value = kerasish.Variable(total), kerasish.ops.convert_to_tensor(value)
        fused = accumulate(total, value, weight).numpy()
        expected = (total + value * weight).numpy()
        assert fused.dtype == expected.dtype == numpy.float32
        assert fused.tobytes() == expected.tobytes()


def test_gradients_match_finite_differences(engine):
    arrays = [RNG.standard_normal(shape) for shape in ((3, 4), (4,), (3, 1))]
    assert_gradients_match_finite_differences(engine, lambda *xs: ops.sin(accumulate(*xs)), *arrays)


def test_second_order_gradients_match_finite_differences(engine):
    """The rule is written with ops: the gradient of the first gradient (of every input) is right too."""

    def first_gradients(*xs):
        with kerasish.GradientTape() as tape:
            tape.watch(list(xs))
            value = ops.sum(ops.sin(accumulate(*xs)))
        return ops.concatenate([ops.reshape(g, (-1,)) for g in tape.gradient(value, list(xs))])

    arrays = [RNG.standard_normal(shape) for shape in ((3, 4), (4,), (3, 1))]
    assert_gradients_match_finite_differences(engine, first_gradients, *arrays)


def test_traced_it_is_the_multiply_and_the_add():
    traced = []

    def step(total, value):
        result = accumulate(total, value, 8)
        traced.extend([result.op.name, result.inputs[1].op.name])
        return result

    assert float(kerasish.function(step, engine="static")(numpy.float32(1.0), numpy.float32(2.0))) == 17.0
    assert traced == ["add", "multiply"]


def test_shapes_that_do_not_broadcast_are_refused_with_the_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        accumulate(ops.zeros((3,)), ops.ones((4,)), 2.0)
