"""kerasish.function and kerasish.GradientTape: one training step, both engines."""

import sys
import warnings

import numpy
import pytest

import kerasish
from kerasish import ops


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def _train(engine, steps=3):
    w = kerasish.Variable(numpy.full(3, 0.5, "float32"), name="w")
    count = kerasish.Variable(0.0, name="count", trainable=False)

    @kerasish.function(engine=engine)
    def step(x, y, rate=0.1):
        with kerasish.GradientTape() as tape:
            error = ops.tanh(x * w) - y
            loss = ops.sum(error * error)
        (grad,) = tape.gradient(loss, [w])
        w.assign(w - rate * grad)
        count.assign_add(1.0)
        return {"loss": loss, "grad": grad}

    x, y = _data(4, 3), _data(4, 3, seed=1)
    results = [step(x, y) for _ in range(steps)]
    return step, w, count, results


def test_training_step_gives_the_same_numbers_on_both_engines():
    _, w_dynamic, count_dynamic, dynamic = _train("dynamic")
    step, w_static, count_static, static = _train("static")
    assert len(step.traces) == 1
    for d, s in zip(dynamic, static):
        numpy.testing.assert_allclose(float(s["loss"]), float(d["loss"]), rtol=1e-6)
        numpy.testing.assert_allclose(s["grad"].numpy(), d["grad"].numpy(), rtol=1e-5)
    numpy.testing.assert_allclose(w_static.numpy(), w_dynamic.numpy(), rtol=1e-6)
    assert float(count_static.numpy()) == float(count_dynamic.numpy()) == 3
    assert float(static[-1]["loss"]) < float(static[0]["loss"])


def test_reads_after_assign_see_the_new_value(engine):
    v = kerasish.Variable(numpy.ones(2, "float32"), name="v")

    @kerasish.function(engine=engine)
    def step(x):
        v.assign(v * x)
        return v + 0.0

    out = step(numpy.full(2, 3.0, "float32"))
    numpy.testing.assert_allclose(out.numpy(), [3, 3])
    numpy.testing.assert_allclose(v.numpy(), [3, 3])


def test_retracing_warns_with_the_calling_line():
    @kerasish.function(engine="static")
    def double(x):
        return x * 2.0

    double(numpy.zeros((2, 3), "float32"))
    double(numpy.ones((2, 3), "float32"))
    with pytest.warns(UserWarning, match=r"tracing again.*float32\[4, 3\]") as caught:
        double(numpy.zeros((4, 3), "float32"))
    assert caught[0].filename == __file__  # the user's line, not kerasish's
    assert len(double.traces) == 2


def test_a_retrace_inside_fit_points_at_the_users_fit_call():
    model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", backend="static")
    model.fit(numpy.ones((4, 3), "float32"), numpy.ones((4, 1), "float32"), batch_size=4, verbose=0)
    with pytest.warns(UserWarning, match="tracing again") as caught:  # same batch size, new dtype
        model.fit(numpy.ones((4, 3), "float16"), numpy.ones((4, 1), "float32"), batch_size=4, verbose=0)
    assert [warning.filename for warning in caught] == [__file__]


def test_python_arguments_are_part_of_the_signature():
    @kerasish.function(engine="static")
    def scale(x, factor):
        return x * factor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = scale(numpy.ones(2, "float32"), 2.0)
        b = scale(numpy.ones(2, "float32"), 3.0)
    numpy.testing.assert_allclose(a.numpy(), [2, 2])
    numpy.testing.assert_allclose(b.numpy(), [3, 3])


def test_tape_non_persistent_and_non_scalar_targets_on_static():
    @kerasish.function(engine="static")
    def grads(x):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            y = ops.exp(x)
        first = tape.gradient(y, x)
        with pytest.raises(RuntimeError, match="non-persistent"):
            tape.gradient(y, x)
        return first

    a = _data(3)
    numpy.testing.assert_allclose(grads(a).numpy(), numpy.exp(a), rtol=1e-6)


def test_gradient_tape_does_not_import_the_static_engine():
    import subprocess

    code = (
        "import kerasish, numpy\nfrom kerasish import ops\nx = kerasish.Variable(numpy.ones(2, 'float32'))\n"
        "with kerasish.GradientTape() as t:\n    y = ops.sum(x * x)\nprint(t.gradient(y, x).numpy())\n"
        "import sys\nassert 'kerasish.backends.static' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "[2. 2.]" in result.stdout


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="Unknown engine 'graph'"):
        kerasish.function(lambda x: x, engine="graph")


def test_decorated_methods_trace_per_instance(engine):
    class Counter:
        def __init__(self, start):
            self.total = kerasish.Variable(numpy.float32(start), name="total")

        @kerasish.function(engine=engine)
        def add(self, x):
            self.total.assign(self.total + ops.sum(x))
            return self.total + 0.0

    first, second = Counter(0.0), Counter(10.0)
    ones = numpy.ones(3, "float32")
    first.add(ones)
    assert float(first.add(ones)) == 6.0
    assert float(second.add(ones)) == 13.0


def test_nested_function_traces_through():
    @kerasish.function(engine="static")
    def inner(x):
        return ops.exp(x)

    @kerasish.function(engine="static")
    def outer(x):
        return inner(x) * 2.0

    a = _data(3)
    numpy.testing.assert_allclose(outer(a).numpy(), 2 * numpy.exp(a), rtol=1e-6)
    assert not inner.traces


def _adam_mlp(engine, steps=5):
    """An MLP trained by an Adam-style update whose slots are Variables read after their assign."""
    rng = numpy.random.default_rng(0)
    weights = [
        kerasish.Variable(rng.normal(0, 0.3, shape).astype("float32"), name=f"p{i}")
        for i, shape in enumerate([(6, 8), (8,), (8, 3), (3,)])
    ]
    moments = [kerasish.Variable(numpy.zeros(w.shape, "float32"), trainable=False) for w in weights]
    count = kerasish.Variable(numpy.float32(0), trainable=False)

    @kerasish.function(engine=engine)
    def step(x, y):
        with kerasish.GradientTape() as tape:
            hidden = ops.relu(ops.matmul(x, weights[0]) + weights[1])
            loss = ops.mean(ops.square(ops.matmul(hidden, weights[2]) + weights[3] - y))
        grads = tape.gradient(loss, weights)
        count.assign_add(1.0)
        for w, m, g in zip(weights, moments, grads):
            m.assign(0.9 * m + 0.1 * g)
            w.assign_sub(0.05 * m / (1.0 - ops.power(0.9, count)))
        return loss

    x, y = _data(16, 6, seed=3), _data(16, 3, seed=4)
    losses = [float(step(x, y)) for _ in range(steps)]
    return losses, [w.numpy() for w in weights]


def test_mlp_with_optimizer_slots_matches_across_engines():
    dynamic_losses, dynamic_weights = _adam_mlp("dynamic")
    static_losses, static_weights = _adam_mlp("static")
    numpy.testing.assert_allclose(static_losses, dynamic_losses, rtol=1e-5)
    for s, d in zip(static_weights, dynamic_weights):
        numpy.testing.assert_allclose(s, d, rtol=1e-5, atol=1e-6)
    assert static_losses[-1] < static_losses[0]


def test_a_variable_beside_a_dynamic_tensor_is_read_in_the_graph_on_every_call():
    counter = kerasish.Variable(numpy.zeros((), "float32"))
    step_size = kerasish.ops.convert_to_tensor(numpy.float32(2.0))  # a dynamic Tensor made outside the trace

    @kerasish.function(engine="static")
    def step():
        counter.assign(counter + step_size)
        return counter + 0.0

    assert [float(step()) for _ in range(3)] == [2.0, 4.0, 6.0]
