"""cond, while_loop, scan, fori_loop, foldl: eager on the dynamic engine, graph nodes (with
gradients) on the static one."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import GradientTape, Tensor


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def _rnn_loss(w, h0, xs):
    def step(h, x):
        h = ops.tanh(w * h + x)
        return h, h * h

    final, ys = ops.scan(step, h0, xs)
    return ops.sum(ys) + ops.sum(final)


def _numpy_rnn_loss(w, h0, xs):
    h, total = h0.astype(numpy.float64), 0.0
    for x in xs:
        h = numpy.tanh(w * h + x)
        total += (h * h).sum()
    return total + h.sum()


def _numeric_grad(fn, array, eps=1e-4):
    grad = numpy.zeros(array.shape)
    for i in numpy.ndindex(array.shape):
        up, down = array.astype(numpy.float64), array.astype(numpy.float64)
        up[i] += eps
        down[i] -= eps
        grad[i] = (fn(up) - fn(down)) / (2 * eps)
    return grad


def test_static_scan_gradient_matches_finite_differences():
    w, h0, xs = numpy.full(3, 0.5, "float32"), _data(3), _data(4, 3, seed=1)
    sw, sh, sx = static.placeholder((3,)), static.placeholder((3,)), static.placeholder((4, 3))
    loss = _rnn_loss(sw, sh, sx)
    got = static.function([sw, sh, sx], [loss] + static.gradients(loss, [sw, sh, sx]))(w, h0, xs)
    numpy.testing.assert_allclose(got[0], _numpy_rnn_loss(w, h0, xs), rtol=1e-5)
    numpy.testing.assert_allclose(got[1], _numeric_grad(lambda v: _numpy_rnn_loss(v, h0, xs), w), rtol=1e-3, atol=1e-4)
    numpy.testing.assert_allclose(got[2], _numeric_grad(lambda v: _numpy_rnn_loss(w, v, xs), h0), rtol=1e-3, atol=1e-4)
    numpy.testing.assert_allclose(got[3], _numeric_grad(lambda v: _numpy_rnn_loss(w, h0, v), xs), rtol=1e-3, atol=1e-4)


def test_static_scan_gradient_equals_unrolled_dynamic_tape():
    w, h0, xs = numpy.full(3, 0.5, "float32"), _data(3), _data(4, 3, seed=1)
    tensors = [Tensor(w), Tensor(h0), Tensor(xs)]
    with GradientTape() as tape:
        tape.watch(tensors)
        loss = _rnn_loss(*tensors)
    expected = [g.numpy() for g in tape.gradient(loss, tensors)]
    symbols = [static.placeholder((3,)), static.placeholder((3,)), static.placeholder((4, 3))]
    got = static.function(symbols, static.gradients(_rnn_loss(*symbols), symbols))(w, h0, xs)
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_static_scan_second_order_gradient():
    h0, xs = _data(3), _data(4, 3, seed=1)
    w = static.placeholder((3,))
    (first,) = static.gradients(_rnn_loss(w, static.constant(h0), static.constant(xs)), [w])
    (second,) = static.gradients(ops.sum(first), [w])
    point = numpy.full(3, 0.5, "float32")
    got = static.function([w], second)(point)

    def first_order(v):
        return _numeric_grad(lambda u: _numpy_rnn_loss(u, h0, xs), v, eps=1e-5).sum()

    numpy.testing.assert_allclose(got, _numeric_grad(first_order, point, eps=1e-3), rtol=2e-3, atol=2e-3)


def test_static_scan_reverse_length_and_structures():
    xs = static.placeholder((5,))
    carry, ys = ops.scan(
        lambda c, x: ((c[0] + x, c[1] * 2.0), {"sum": c[0] + x}), (numpy.float32(0), numpy.float32(1)), xs, reverse=True
    )
    counted, _ = ops.scan(lambda c, _: (c + 1.0, None), numpy.float32(0), length=7)
    got = static.function([xs], [carry[0], carry[1], ys["sum"], counted])(numpy.arange(5, dtype="float32"))
    assert got[0] == 10 and got[1] == 32 and got[3] == 7
    numpy.testing.assert_allclose(got[2], [10, 10, 9, 7, 4])


def test_static_scan_carry_must_keep_its_shape():
    xs = static.placeholder((5, 2))
    with pytest.raises(ValueError, match=r"scan: carry 0 must keep its shape and dtype.*\(2,\).*\(\)"):
        ops.scan(lambda c, x: (ops.sum(c + x), None), numpy.zeros(2, "float32"), xs)


def test_static_cond_picks_a_branch_and_differentiates_it():
    pred, x = static.placeholder((), "bool"), static.placeholder((3,))
    w = static.variable(numpy.full(3, 2.0, "float32"), name="w_cond")
    y = ops.cond(pred, lambda: ops.sum(w * x), lambda: ops.sum(ops.exp(x)))
    f = static.function([pred, x], [y] + static.gradients(y, [w, x]))
    a = _data(3)
    yes, no = f(True, a), f(False, a)
    numpy.testing.assert_allclose(yes[0], (2 * a).sum(), rtol=1e-6)
    numpy.testing.assert_allclose(yes[1], a)
    numpy.testing.assert_allclose(yes[2], [2, 2, 2])
    numpy.testing.assert_allclose(no[0], numpy.exp(a).sum(), rtol=1e-6)
    numpy.testing.assert_allclose(no[1], [0, 0, 0])
    numpy.testing.assert_allclose(no[2], numpy.exp(a), rtol=1e-6)


def test_static_cond_branches_must_match():
    pred = static.placeholder((), "bool")
    with pytest.raises(ValueError, match=r"cond: output 0 must keep its shape"):
        ops.cond(pred, lambda: ops.ones_like(static.placeholder((2,))), lambda: ops.ones_like(static.placeholder((3,))))


def test_static_while_loop_value_and_gradient():
    h = static.placeholder((3,))
    w = static.placeholder((3,))
    _, value = ops.while_loop(lambda i, v: ops.greater(10.0, i), lambda i, v: (i + 1.0, v * w), (0.0, h))
    f = static.function([h, w], [value] + static.gradients(ops.sum(value), [h, w]))
    a, b = _data(3), numpy.full(3, 0.5, "float32")
    got = f(a, b)
    numpy.testing.assert_allclose(got[0], a * 0.5**10, rtol=1e-6)
    numpy.testing.assert_allclose(got[1], numpy.full(3, 0.5**10), rtol=1e-6)
    numpy.testing.assert_allclose(got[2], 10 * a * 0.5**9, rtol=1e-5)


def test_while_loop_maximum_iterations(engine):
    def run(start):
        return ops.while_loop(lambda v: ops.greater(100.0, v), lambda v: v * 2.0, start, maximum_iterations=3)

    if engine == "static":
        x = static.placeholder(())
        got = static.function([x], run(x))(1.0)
    else:
        got = run(Tensor(numpy.float32(1.0))).numpy()
    assert got == 8


def test_fori_loop_on_both_engines(engine):
    def run(value):
        return ops.fori_loop(0, 4, lambda i, v: v * 2.0 + 1.0, value)

    if engine == "static":
        x = static.placeholder((2,))
        got = static.function([x], run(x))(numpy.zeros(2, "float32"))
    else:
        got = run(Tensor(numpy.zeros(2, "float32"))).numpy()
    numpy.testing.assert_allclose(got, [15, 15])


def test_fori_loop_with_graph_bounds():
    count = static.placeholder((), "int32")
    total = ops.fori_loop(0, count, lambda i, v: v + 2.0, numpy.float32(1))
    f = static.function([count], total)
    assert f(numpy.int32(3)) == 7 and f(numpy.int32(0)) == 1


def test_cond_on_both_engines(engine):
    def run(x):
        return ops.cond(ops.greater(ops.sum(x), 0.0), lambda: x * 2.0, lambda: ops.negative(x))

    a = numpy.array([1.0, 2.0], "float32")
    if engine == "static":
        x = static.placeholder((2,))
        f = static.function([x], run(x))
        got, other = f(a), f(-a)
    else:
        got, other = run(Tensor(a)).numpy(), run(Tensor(-a)).numpy()
    numpy.testing.assert_allclose(got, [2, 4])
    numpy.testing.assert_allclose(other, [1, 2])


def test_scan_and_foldl_eagerly_on_the_dynamic_engine():
    xs = Tensor(numpy.arange(4, dtype="float32"))
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), Tensor(numpy.float32(0)), xs)
    assert float(carry.numpy()) == 6
    numpy.testing.assert_allclose(ys.numpy(), [0, 0, 2, 9])
    assert float(ops.foldl(lambda acc, x: acc + x, xs).numpy()) == 6


def test_foldl_on_the_static_engine():
    xs = static.placeholder((4,))
    total = ops.foldl(lambda acc, x: acc * x, xs, initializer=numpy.float32(1))
    assert static.function([xs], total)(numpy.arange(1, 5, dtype="float32")) == 24


def test_scan_in_a_traced_training_step_updates_variables():
    w = kerasish.Variable(numpy.full(3, 0.5, "float32"), name="w_rnn")

    @kerasish.function(engine="static")
    def step(h0, xs):
        with kerasish.GradientTape() as tape:
            loss = _rnn_loss(w, h0, xs)
        (grad,) = tape.gradient(loss, [w])
        w.assign(w - 0.01 * grad)
        return loss, grad

    h0, xs = _data(3), _data(4, 3, seed=1)
    loss, grad = step(h0, xs)
    numpy.testing.assert_allclose(float(loss), _numpy_rnn_loss(numpy.full(3, 0.5), h0, xs), rtol=1e-5)
    numpy.testing.assert_allclose(w.numpy(), 0.5 - 0.01 * grad.numpy(), rtol=1e-6)


def test_scan_rejects_bad_unroll_and_missing_length():
    with pytest.raises(ValueError, match="unroll must be a positive integer"):
        ops.scan(lambda c, x: (c, x), 0.0, length=2, unroll=0)
    with pytest.raises(ValueError, match="pass xs or length"):
        ops.scan(lambda c, x: (c, x), 0.0)


def test_while_loop_returns_a_tuple_for_list_loop_vars(engine):
    def run(start):
        return ops.while_loop(lambda a, b: ops.greater(3.0, a), lambda a, b: (a + 1.0, b * 2.0), [start, start + 1.0])

    if engine == "static":
        x = static.placeholder(())
        result = run(x)
        got = static.function([x], list(result))(0.0)
    else:
        result = run(Tensor(numpy.float32(0)))
        got = [r.numpy() for r in result]
    assert isinstance(result, tuple)
    assert [float(g) for g in got] == [3.0, 8.0]


def test_matmul_rnn_training_step_matches_across_engines():
    def run(engine):
        rng = numpy.random.default_rng(0)
        kernel = kerasish.Variable(rng.normal(0, 0.4, (3, 5)).astype("float32"), name="kernel")
        recurrent = kerasish.Variable(rng.normal(0, 0.4, (5, 5)).astype("float32"), name="recurrent")

        @kerasish.function(engine=engine)
        def step(xs):
            with kerasish.GradientTape() as tape:

                def cell(h, x):
                    h = ops.tanh(ops.matmul(x, kernel) + ops.matmul(h, recurrent))
                    return h, ops.sum(h * h, axis=-1)

                _, ys = ops.scan(cell, ops.zeros((2, 5)), ops.transpose(xs, (1, 0, 2)))
                loss = ops.mean(ys)
            grads = tape.gradient(loss, [kernel, recurrent])
            for variable, grad in zip([kernel, recurrent], grads):
                variable.assign_sub(0.1 * grad)
            return loss, grads

        xs = _data(2, 4, 3, seed=5)
        results = [step(xs) for _ in range(2)]
        return [float(r[0]) for r in results], [g.numpy() for g in results[-1][1]]

    dynamic_losses, dynamic_grads = run("dynamic")
    static_losses, static_grads = run("static")
    numpy.testing.assert_allclose(static_losses, dynamic_losses, rtol=1e-5)
    for s, d in zip(static_grads, dynamic_grads):
        numpy.testing.assert_allclose(s, d, rtol=1e-4, atol=1e-6)
