"""Placeholders, symbolic gradients and compiled functions with updates; bad input."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def test_shapes_are_inferred_with_unknown_dims():
    x = static.placeholder((None, 3), name="x")
    y = ops.tanh(x * numpy.ones((1, 3), "float32")) + 1.0
    assert y.shape == (None, 3) and y.dtype == numpy.float32
    assert ops.sum(y).shape == ()


def test_build_time_shape_error_names_op_and_shapes():
    a, b = static.placeholder((None, 3)), static.placeholder((None, 4))
    with pytest.raises(ValueError, match=r"add.*\(None, 3\).*\(None, 4\)"):
        ops.add(a, b)


def test_function_computes_and_accepts_a_list_of_feeds():
    x, y = static.placeholder((None, 2), name="x"), static.placeholder((None, 2), name="y")
    f = static.function([x, y], [x * y, ops.exp(x)])
    a, b = _data(4, 2), _data(4, 2, seed=1)
    for result in (f(a, b), f([a, b])):
        numpy.testing.assert_allclose(result[0], a * b, rtol=1e-6)
        numpy.testing.assert_allclose(result[1], numpy.exp(a), rtol=1e-6)
    single = static.function(x, ops.negative(x))(a)
    numpy.testing.assert_allclose(single, -a)


def test_gradients_match_hand_derivative_and_second_order():
    x = static.placeholder((3,), name="x")
    y = ops.sum(x * x * x)
    (g,) = static.gradients(y, [x])
    (h,) = static.gradients(ops.sum(g), [x])
    a = _data(3)
    got_g, got_h = static.function([x], [g, h])(a)
    numpy.testing.assert_allclose(got_g, 3 * a * a, rtol=1e-5)
    numpy.testing.assert_allclose(got_h, 6 * a, rtol=1e-5)


def test_gradient_of_a_variable_and_unconnected():
    w = static.variable(_data(3), name="w_grad")
    x = static.placeholder((3,))
    other = static.placeholder((3,))
    gw, gother = static.gradients(ops.sum(w * x), [w, other])
    assert gother is None
    zero = static.gradients(ops.sum(w * x), [other], unconnected_gradients="zero")[0]
    a = _data(3, seed=2)
    got = static.function([x, other], [gw, zero])(a, a)
    numpy.testing.assert_allclose(got[0], a)
    numpy.testing.assert_allclose(got[1], numpy.zeros(3))


def test_updates_apply_after_outputs_and_share_variable_storage():
    w = static.variable(numpy.ones(3, "float32"), name="w_update")
    x = static.placeholder((3,))
    loss = ops.sum(w * x)
    f = static.function([x], loss, updates=[(w, w - 0.5 * static.gradients(loss, w))])
    a = _data(3)
    first = f(a)
    numpy.testing.assert_allclose(first, a.sum(), rtol=1e-6)
    numpy.testing.assert_allclose(w.variable.numpy(), 1 - 0.5 * a, rtol=1e-6)
    numpy.testing.assert_allclose(f(a), ((1 - 0.5 * a) * a).sum(), rtol=1e-5)
    w.variable.assign(numpy.zeros(3, "float32"))
    assert f(a) == 0


def test_wrong_feed_shape_names_placeholder_expected_and_got():
    x = static.placeholder((None, 3), name="images")
    f = static.function([x], ops.exp(x))
    with pytest.raises(ValueError, match=r"'images'.*expected shape \(None, 3\), got \(2, 4\)"):
        f(numpy.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"'images'.*got \(3,\)"):
        f(numpy.zeros(3, "float32"))


def test_wrong_feed_dtype_names_placeholder_expected_and_got():
    x = static.placeholder((2,), "float32", name="values")
    f = static.function([x], ops.exp(x))
    with pytest.raises(TypeError, match=r"'values'.*expected dtype float32, got int64"):
        f(numpy.array([1, 2]))
    numpy.testing.assert_allclose(f(numpy.zeros(2)), [1, 1])  # float64 data feeds a float32 placeholder
    assert f(numpy.zeros(2)).dtype == numpy.float32


def test_wrong_number_of_feeds():
    x = static.placeholder((2,), name="only")
    with pytest.raises(ValueError, match=r"expected 1 inputs \('only'\), got 2"):
        static.function([x], ops.exp(x))(numpy.zeros(2), numpy.zeros(2))


def test_placeholder_never_fed_is_an_error_at_compile_time():
    x, y = static.placeholder((2,), name="x"), static.placeholder((2,), name="forgotten")
    with pytest.raises(ValueError, match=r"'forgotten'.*not among the inputs"):
        static.function([x], x + y)


def test_gradient_of_non_scalar_needs_a_seed():
    x = static.placeholder((2, 3), name="x")
    with pytest.raises(ValueError, match=r"shape \(2, 3\), not a scalar; pass grad_ys"):
        static.gradients(ops.exp(x), [x])
    seeded = static.gradients(ops.exp(x), [x], grad_ys=ops.ones_like(x))[0]
    a = _data(2, 3)
    numpy.testing.assert_allclose(static.function([x], seeded)(a), numpy.exp(a), rtol=1e-6)


def test_symbol_has_no_truth_value_or_array():
    x = static.placeholder((2,), name="x")
    with pytest.raises(TypeError, match="ops.cond"):
        bool(x)
    with pytest.raises(TypeError, match="has no value until the graph runs"):
        numpy.asarray(x)


def test_runtime_kernel_error_names_the_node():
    x = static.placeholder((None, 3), name="x")
    y = static.placeholder((None, 3), name="y")
    f = static.function([x, y], x + y)
    with pytest.raises(ValueError, match=r"add \(node .*\) failed on inputs of shapes \(2, 3\), \(4, 3\)"):
        f(numpy.zeros((2, 3), "float32"), numpy.zeros((4, 3), "float32"))


def test_symbols_from_another_graph_are_refused():
    with static.Graph(name="other").as_default():
        foreign = static.placeholder((2,), name="foreign")
    local = static.placeholder((2,), name="local")
    with pytest.raises(ValueError, match="'foreign' belongs to graph 'other'"):
        ops.add(local, foreign)


def test_assign_of_a_symbol_outside_a_trace_is_an_error():
    w = kerasish.Variable(numpy.zeros(2, "float32"), name="lonely")
    x = static.placeholder((2,))
    with pytest.raises(ValueError, match="'lonely'.*only possible inside kerasish.function"):
        w.assign(x)


def test_variables_keep_their_own_storage_after_updates():
    a = static.variable(numpy.ones(2, "float32"), name="a_own")
    b = static.variable(numpy.full(2, 2.0, "float32"), name="b_own")
    c = static.variable(numpy.zeros(2, "float32"), name="c_own")
    x = static.placeholder((2,), name="x_own")
    feed = numpy.array([5.0, 6.0], "float32")
    static.function([x], [], updates=[(a, b), (c, x)])(feed)
    feed[:] = 0
    b.variable.value[:] = -1
    numpy.testing.assert_allclose(a.variable.numpy(), [2, 2])
    numpy.testing.assert_allclose(c.variable.numpy(), [5, 6])
