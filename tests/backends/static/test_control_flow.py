"""cond, while_loop, scan, fori_loop, foldl: eager on the dynamic engine, graph nodes (with
gradients) on the static one."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import GradientTape, Tensor
from kerasish.backends.static.symbol import components
from kerasish.backends.static.walk import topological


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


# ----- the static scan's gradient reads the forward pass's residuals ---------------------------------------


def _gated_cell(kernel, recurrent, units):
    """An LSTM-like step: gate slices (their gradients read the sliced array's shape alone), sigmoid and
    tanh (their gradients read their outputs), and a second output."""

    def cell(carry, x):
        h, c = carry
        z = ops.matmul(x, kernel) + ops.matmul(h, recurrent)
        i, f = ops.sigmoid(z[:, :units]), ops.sigmoid(z[:, units : 2 * units])
        c = f * c + i * ops.tanh(z[:, 2 * units :])
        h = ops.tanh(c) * i
        return (h, c), ops.sum(h * c, axis=-1)

    return cell


def _gated_loss(kernel, recurrent, xs, reverse=False):
    zeros = ops.zeros((xs.shape[1], 4))
    (h, c), ys = ops.scan(_gated_cell(kernel, recurrent, 4), (zeros, zeros), xs, reverse=reverse)
    return ops.sum(h * h) + ops.sum(c) + ops.sum(ys * ys)


def _gated_values(seed=0):
    rng = numpy.random.default_rng(seed)
    return [
        rng.normal(0, 0.5, (3, 12)).astype("float32"),
        rng.normal(0, 0.5, (4, 12)).astype("float32"),
        rng.normal(0, 1.0, (5, 2, 3)).astype("float32"),
    ]


def _dynamic_gradients(loss_fn, values):
    tensors = [Tensor(v) for v in values]
    with GradientTape() as tape:
        tape.watch(tensors)
        loss = loss_fn(*tensors)
    return [numpy.zeros_like(v) if g is None else g.numpy() for g, v in zip(tape.gradient(loss, tensors), values)]


def _static_gradients(loss_fn, values):
    symbols = [static.placeholder(v.shape) for v in values]
    grads = static.gradients(loss_fn(*symbols), symbols, unconnected_gradients="zero")
    return static.function(symbols, grads)(*values)


def _scan_nodes(roots):
    return [node for node in topological(roots) if node.op is not None and node.op.name == "scan"]


def _op_counts(body):
    names = [node.op.name for node in topological(body.outputs) if node.op is not None]
    return {name: names.count(name) for name in set(names)}


@pytest.mark.parametrize("reverse", [False, True])
def test_static_scan_gradient_with_residuals_matches_the_dynamic_engine(reverse):
    values = _gated_values()

    def loss_fn(kernel, recurrent, xs):
        return _gated_loss(kernel, recurrent, xs, reverse)

    for got, expected in zip(_static_gradients(loss_fn, values), _dynamic_gradients(loss_fn, values)):
        numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_static_scan_backward_reads_residuals_instead_of_running_the_forward_step_again():
    kernel = static.variable(numpy.full((3, 5), 0.1, "float32"), name="kernel_residuals")
    recurrent = static.variable(numpy.full((5, 5), 0.1, "float32"), name="recurrent_residuals")
    xs = static.placeholder((6, 2, 3))

    def cell(h, x):
        h = ops.tanh(ops.matmul(x, kernel) + ops.matmul(h, recurrent))
        return h, None

    final, _ = ops.scan(cell, ops.zeros((2, 5)), xs)
    grads = static.gradients(ops.sum(final * final), [kernel, recurrent])
    (backward,) = [node for node in _scan_nodes(grads) if node.attrs["reverse"]]
    counts = _op_counts(backward.attrs["body"])
    # the gradient's own products (of the state, the kernel, the recurrent kernel), no forward product,
    # no tanh, and no input gradient, which nothing asked for
    assert counts.get("matmul") == 3 and "tanh" not in counts, counts
    got = static.function([xs], grads)(_data(6, 2, 3, seed=4))
    h, expected = numpy.zeros((2, 5), "float32"), [numpy.zeros((3, 5)), numpy.zeros((5, 5))]
    states, inputs = [], _data(6, 2, 3, seed=4)
    for x in inputs:
        states.append(h)
        h = numpy.tanh(x @ numpy.full((3, 5), 0.1) + h @ numpy.full((5, 5), 0.1))
    seed = 2 * h
    for x, before in zip(inputs[::-1], states[::-1]):
        after = numpy.tanh(x @ numpy.full((3, 5), 0.1) + before @ numpy.full((5, 5), 0.1))
        dz = seed * (1 - after * after)
        expected[0] += x.T @ dz
        expected[1] += before.T @ dz
        seed = dz @ numpy.full((5, 5), 0.1).T
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)


def test_static_scan_stacks_a_residual_read_for_its_shape_alone_as_a_broadcast():
    kernel, recurrent, xs = [static.placeholder(v.shape) for v in _gated_values()]
    loss = _gated_loss(kernel, recurrent, xs)
    static.gradients(loss, [kernel])
    (forward,) = _scan_nodes([loss])
    assert True in forward.attrs["residuals"]  # z, read by the gradients of its gate slices for its shape
    parts = components(forward)
    first = 2 * 2 + 1  # after the final carries, the outputs and the carries' history
    shape_only = [parts[first + i] for i, flag in enumerate(forward.attrs["residuals"]) if flag]
    stacked = static.function([kernel, recurrent, xs], shape_only[0])(*_gated_values())
    assert stacked.shape[0] == 5 and stacked.strides[0] == 0 and not stacked.any()


def test_static_scan_stores_the_history_of_the_carries_its_gradient_reads():
    kernel, recurrent, xs = [static.placeholder(v.shape) for v in _gated_values()]
    loss = _gated_loss(kernel, recurrent, xs)
    (forward,) = _scan_nodes([loss])
    assert forward.attrs["history"] == ()  # inference stores none
    grads = static.gradients(loss, [kernel, recurrent])
    # c: f * c reads it; h: its one reader, the recurrent kernel's gradient, reads the kept transpose of h
    assert forward.attrs["history"] == (1,)
    got = static.function([kernel, recurrent, xs], grads)(*_gated_values())
    for g, e in zip(got, _dynamic_gradients(_gated_loss, _gated_values())):
        numpy.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_static_scan_second_order_gradient_through_residuals_matches_the_dynamic_engine():
    values = _gated_values(seed=1)
    direction = numpy.random.default_rng(2).normal(size=values[0].shape).astype("float32")
    tensors = [Tensor(v) for v in values]
    with GradientTape() as outer:
        outer.watch(tensors)
        with GradientTape() as inner:
            inner.watch(tensors)
            loss = _gated_loss(*tensors)
        (grad,) = inner.gradient(loss, [tensors[0]])
        projected = ops.sum(grad * direction)
    expected = [g.numpy() for g in outer.gradient(projected, tensors)]
    symbols = [static.placeholder(v.shape) for v in values]
    (grad,) = static.gradients(_gated_loss(*symbols), [symbols[0]])
    got = static.function(symbols, static.gradients(ops.sum(grad * direction), symbols))(*values)
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


def test_static_nested_scan_with_cond_and_while_loop_gradients_match_the_dynamic_engine():
    def loss_fn(kernel, recurrent, xs):
        def outer(h, x):
            def inner(g, row):
                return ops.tanh(g * row + ops.sum(h)), g

            g, _ = ops.scan(inner, h, ops.matmul(x, kernel)[:, :4])
            g = ops.cond(ops.greater(ops.sum(g), 0.0), lambda: ops.sigmoid(g) * 2.0, lambda: g * g)
            _, g = ops.while_loop(lambda i, v: ops.greater(2.0, i), lambda i, v: (i + 1.0, ops.tanh(v)), (0.0, g))
            return ops.tanh(ops.matmul(g, recurrent[:, :4]) + h), ops.sum(g)

        h, ys = ops.scan(outer, ops.zeros((4,)) + 0.3, xs)
        return ops.sum(h * h) + ops.sum(ys * ys)

    values = _gated_values(seed=3)
    expected = _dynamic_gradients(loss_fn, values)
    assert all(numpy.abs(e).max() > 0.01 for e in expected)
    for got, e in zip(_static_gradients(loss_fn, values), expected):
        numpy.testing.assert_allclose(got, e, rtol=1e-4, atol=1e-5)


def test_static_scan_gradient_taken_twice_reuses_the_residuals():
    values = _gated_values(seed=4)
    symbols = [static.placeholder(v.shape) for v in values]
    loss = _gated_loss(*symbols)
    first = static.gradients(loss, symbols[:1])
    (forward,) = _scan_nodes([loss])
    count = len(components(forward))
    second = static.gradients(loss, symbols)
    assert len(components(forward)) == count
    got = static.function(symbols, first + second)(*values)
    expected = _dynamic_gradients(_gated_loss, values)
    for g, e in zip(got, expected[:1] + expected):
        numpy.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_static_scan_gradient_of_a_loaded_function_matches_the_original(tmp_path):
    values = _gated_values(seed=5)
    symbols = [static.placeholder(v.shape) for v in values]
    loss = _gated_loss(*symbols)
    fn = static.function(symbols, [loss] + static.gradients(loss, symbols[:1]))
    static.save(fn, str(tmp_path / "step.h5"))
    loaded = static.load(str(tmp_path / "step.h5"))
    grads = static.gradients(loaded.outputs[0], loaded.inputs)  # over a scan that already keeps residuals
    got = static.function(loaded.inputs, grads)(*values)
    for g, e in zip(got, _dynamic_gradients(_gated_loss, values)):
        numpy.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def _random_body(seed, kernel):
    """A scan step of random ops over its carries, its step input and captured values: ways for a gradient
    to read the forward pass (outputs, inputs, shapes of slices, comparisons, products, carries unread).
    Every value is squashed by a tanh and reaches the step's output, so every path carries a gradient."""
    rng = numpy.random.default_rng(seed)
    unary = [
        lambda v: ops.matmul(v, kernel),
        ops.tanh,
        ops.sigmoid,
        lambda v: v * v,
        lambda v: 1.0 - v,
        lambda v: v[:, ::-1],
        lambda v: ops.concatenate([v[:, :1] * 2.0, v[:, 1:]], axis=1),
        lambda v: ops.where(ops.greater(v, 0.0), v, 0.1 * v),
        lambda v: ops.zeros_like(v) + ops.exp(-v * v),
    ]
    binary = [ops.add, ops.multiply, ops.subtract]
    plan = [
        (rng.integers(len(unary), size=2), rng.integers(len(binary)), rng.integers(0, 3 + i, size=2)) for i in range(6)
    ]
    plan[0][0][0] = 0  # the captured kernel is used
    picks = rng.integers(0, 9, size=2)

    def step(carry, x):
        pool = [carry[0], carry[1], x]
        for (inner, outer), b, (i, j) in plan:
            pool.append(ops.tanh(binary[b](unary[outer](unary[inner](pool[i])), pool[j])))
        y = pool[3]
        for value in pool[4:]:
            y = y + value
        return (pool[picks[0]], pool[picks[1]]), y

    return step


@pytest.mark.parametrize("seed", range(12))
def test_static_scan_gradients_of_random_bodies_match_the_dynamic_engine(seed):
    rng = numpy.random.default_rng(100 + seed)
    values = [rng.normal(0, 0.5, (3, 3)).astype("float32"), rng.normal(0, 1.0, (4, 2, 3)).astype("float32")]

    def loss_fn(kernel, xs):
        start = ops.zeros((2, 3)) + 0.1
        (first, second), ys = ops.scan(_random_body(seed, kernel), (start, start), xs, reverse=seed % 2 == 1)
        return ops.sum(first * first) + ops.sum(ops.tanh(second)) + ops.sum(ys * ys)

    for got, expected in zip(_static_gradients(loss_fn, values), _dynamic_gradients(loss_fn, values)):
        numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


BODIES = {
    # a counter carry (int32, no gradient) beside a float one
    "counter": lambda w: lambda c, x: ((c[0] + 1, ops.tanh(c[1] * w + x)), c[1] * ops.cast(c[0], "float32")),
    # a carry passed through unchanged, read by the step
    "unchanged_carry": lambda w: lambda c, x: ((c[0], c[1] + x * c[0]), ops.exp(c[1])),
    # linear in the carry: nothing worth keeping
    "linear": lambda w: lambda c, x: ((c[0] * w + x, c[1]), c[0]),
    # tanh of a carry, read for its shape (a slice) and for its value (its gradient, 1 - t * t)
    "sliced_activation_of_a_carry": lambda w: lambda c, x: ((c[0] * w + x, c[1]), ops.tanh(c[0])[:, :2]),
    # a reversed slice of an activation: a view of a residual
    "reversed_slice": lambda w: lambda c, x: ((ops.sigmoid(c[0] * w + x)[:, ::-1], c[1] * 0.5), c[1]),
}


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("body", sorted(BODIES))
def test_static_scan_gradients_of_bodies_match_the_dynamic_engine(body, reverse):
    rng = numpy.random.default_rng(7)
    values = [rng.normal(0, 0.5, (3,)).astype("float32"), rng.normal(0, 1.0, (4, 2, 3)).astype("float32")]

    def loss_fn(w, xs):
        first = numpy.int32(0) if body == "counter" else ops.zeros((2, 3)) + w
        (first, second), ys = ops.scan(BODIES[body](w), (first, ops.zeros((2, 3)) + 0.5), xs, reverse=reverse)
        return ops.sum(ops.cast(first, "float32")) + ops.sum(second * second) + ops.sum(ys * ys)

    for got, expected in zip(_static_gradients(loss_fn, values), _dynamic_gradients(loss_fn, values)):
        numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_static_scan_over_a_length_differentiates_its_captured_values():
    def loss_fn(w):
        h, _ = ops.scan(lambda c, _: (ops.sin(c * w), None), ops.ones((3,)), length=5)
        return ops.sum(h)

    values = [numpy.array([0.5, -1.0, 2.0], "float32")]
    numpy.testing.assert_allclose(
        _static_gradients(loss_fn, values)[0], _dynamic_gradients(loss_fn, values)[0], rtol=1e-5, atol=1e-6
    )
