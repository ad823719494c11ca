"""product_updates: an SGD update whose gradient is a matrix product, `c - matmul(a, b) * rate` (with momentum
`c * momentum - matmul(a, b) * rate`), becomes one node that writes into the variable with one gemm; the numbers
are those of the separate ops within float32 rounding, and exactly theirs where gemm is not used."""

import numpy
import pytest

import kerasish
from kerasish import layers, ops, optimizers
from kerasish.backends import static
from kerasish.backends.kernels import blas
from kerasish.backends.static import fused

SETTINGS = {"plain": {}, "momentum": {"momentum": 0.9}, "nesterov": {"momentum": 0.5, "nesterov": True}}
OFF = {"product_updates": False}


@pytest.fixture(autouse=True)
def small_updates_pay(monkeypatch):
    """These tests' variables are small: let them take the path that large ones take."""
    monkeypatch.setattr(blas, "SMALLEST", 1)


def _data(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def _model():
    model = kerasish.Sequential([kerasish.Input((6,)), layers.Dense(16, activation="relu"), layers.Dense(4)])
    for variable, seed in zip(model.trainable_variables, range(10, 20)):
        variable.assign(_data(*variable.shape, seed=seed) * 0.5)
    return model


def _train(settings, passes=None, steps=3):
    """A Dense MLP trained with Keras's SGD on the static engine: (losses, final weights and slots, the step)."""
    model = _model()
    optimizer = optimizers.SGD(0.05, **settings)
    optimizer.build(model.trainable_variables)

    @kerasish.function(engine="static", passes=passes)
    def step(x, y):
        with kerasish.GradientTape() as tape:
            loss = ops.mean(ops.square(model(x) - y))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    losses = [numpy.asarray(step(_data(32, 6, seed=1 + i), _data(32, 4, seed=5 + i))) for i in range(steps)]
    values = [v.numpy().copy() for v in model.trainable_variables + optimizer.variables]
    return losses, values, step


def _plan(step):
    (trace,) = step.traces.values()
    return trace.compiled.plan


def _product_updates(plan):
    return [s for s in plan.steps if s.node.op is fused.PRODUCT_UPDATE]


@pytest.mark.parametrize("settings", ["plain", "momentum"])
def test_each_dense_kernel_is_updated_by_one_product_written_into_its_storage(settings):
    _, _, step = _train(SETTINGS[settings], steps=1)
    plan = _plan(step)
    paths = {slot: variable.path for slot, variable in plan.variables}
    updated = [paths[s.out] for s in _product_updates(plan)]
    kind = "kernel" if settings == "plain" else "kernel_momentum"
    assert sorted(updated) == sorted(path for path in paths.values() if path.endswith(kind)) and len(updated) == 2
    assert "matmul" not in [s.node.op.name for s in plan.steps[plan.commit_start :]]


def test_an_update_of_fewer_values_than_gemm_pays_for_keeps_its_ops(monkeypatch):
    monkeypatch.setattr(blas, "SMALLEST", 16 * 4 + 1)  # the first kernel (6, 16) has more values, the second fewer
    _, _, step = _train(SETTINGS["plain"], steps=1)
    plan = _plan(step)
    paths = {slot: variable.path for slot, variable in plan.variables}
    kernels = sorted(path for path in paths.values() if path.endswith("kernel"))
    assert [paths[s.out] for s in _product_updates(plan)] == kernels[:1]


def test_the_rewrite_fires_on_an_mlp_fitted_on_the_static_engine():
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.05), loss="mse", backend="static")
    kernels = [v for v in model.trainable_variables if v.path.endswith("kernel")]
    storages, before = [v.value for v in kernels], [v.numpy().copy() for v in kernels]
    model.fit(_data(32, 6, seed=1), _data(32, 4, seed=2), batch_size=32, epochs=1, shuffle=False, verbose=0)
    (trace,) = model._functions["train"].traces.values()
    assert len(_product_updates(trace.compiled.plan)) == 2
    for variable, storage, old in zip(kernels, storages, before):
        assert variable.value is storage  # written in place
        assert not numpy.array_equal(variable.numpy(), old)


@pytest.mark.parametrize("settings", sorted(SETTINGS))
def test_the_same_numbers_as_with_the_pass_off(settings):
    losses, values, step = _train(SETTINGS[settings])
    plain_losses, plain_values, plain_step = _train(SETTINGS[settings], passes=OFF)
    assert not _product_updates(_plan(plain_step))
    fired = _product_updates(_plan(step))
    assert len(fired) == (0 if settings == "nesterov" else 2)  # Nesterov reads `gradient * rate` twice
    for ours, theirs in zip(losses + values, plain_losses + plain_values):
        if fired:
            numpy.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
        else:
            numpy.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("settings", ["plain", "momentum"])
def test_without_gemm_the_numbers_of_the_separate_ops_exactly(monkeypatch, settings):
    calls = []
    monkeypatch.setattr(fused, "accumulate_product", lambda *arguments: calls.append(arguments) or False)
    losses, values, _ = _train(SETTINGS[settings])
    plain_losses, plain_values, _ = _train(SETTINGS[settings], passes=OFF)
    assert len(calls) == 2 * 3  # two kernels, three steps: each asked gemm, was refused
    for ours, theirs in zip(losses + values, plain_losses + plain_values):
        numpy.testing.assert_array_equal(ours, theirs)


def _graph(shape_x=(8, 5), shape_w=(5, 3)):
    x = static.placeholder(shape_x, name="x")
    w = static.variable(_data(*shape_w, seed=1), name="w")
    loss = ops.sum(ops.tanh(ops.matmul(x, w)))
    return x, w, static.gradients(loss, w)


def _fires(inputs, outputs, updates):
    return bool(_product_updates(static.function(inputs, outputs, updates=updates).plan))


def test_a_number_as_the_rate_on_either_side_fires():
    x, w, grad = _graph()
    assert _fires([x], [], [(w, w - grad * 0.1)])
    assert _fires([x], [], [(w, w - 0.1 * grad)])


def test_a_product_read_elsewhere_is_left_alone():
    x, w, grad = _graph()
    other = static.variable(_data(5, 3, seed=2), name="other")
    assert not _fires([x], [grad], [(w, w - grad * 0.1)])  # the user reads the gradient back
    assert not _fires([x], [ops.sum(grad)], [(w, w - grad * 0.1)])
    assert not _fires([x], [], [(w, w - grad * 0.1), (other, other - grad * 0.2)])
    scaled = grad * 0.1
    assert not _fires([x], [scaled], [(w, w - scaled)])


def test_batched_products_and_rates_that_are_not_scalars_are_left_alone():
    x, w, grad = _graph((2, 8, 5), (2, 5, 3))  # 3-D operands: a batch of products
    f = static.function([x], [], updates=[(w, w - grad * 0.1)])
    assert not _product_updates(f.plan)
    feed, start = _data(2, 8, 5, seed=3), w.variable.numpy().copy()
    f(feed)
    outer = 1 - numpy.tanh(feed @ start) ** 2
    numpy.testing.assert_allclose(w.variable.numpy(), start - 0.1 * feed.transpose(0, 2, 1) @ outer, rtol=1e-5)
    x, w, grad = _graph()
    rates = static.constant(numpy.full((5, 3), 0.1, numpy.float32))
    assert not _fires([x], [], [(w, w - grad * rates)])


def test_the_variable_storage_is_updated_in_place():
    x, w, grad = _graph()
    storage, start, feed = w.variable.value, w.variable.numpy().copy(), _data(8, 5, seed=4)
    f = static.function([x], [], updates=[(w, w - grad * 0.25)])
    step = _product_updates(f.plan)[0]
    assert step.out == step.inputs[0] and f.plan.steps.index(step) >= f.plan.commit_start
    f(feed)
    assert w.variable.value is storage
    expected = start - 0.25 * feed.T @ (1 - numpy.tanh(feed @ start) ** 2)
    numpy.testing.assert_allclose(storage, expected, rtol=1e-5, atol=1e-6)


def test_an_operand_sharing_the_variable_s_memory_is_read_before_it_is_written():
    w = static.variable(_data(4, 4, seed=5), name="square")
    x = static.placeholder((4, 4), name="x")
    start, feed = w.variable.numpy().copy(), _data(4, 4, seed=6)
    f = static.function([x], [], updates=[(w, w - ops.matmul(ops.transpose(w), x) * 0.5)])
    assert _product_updates(f.plan)[0].out is not None  # in place, and a reads the variable's own memory
    f(feed)
    numpy.testing.assert_allclose(w.variable.numpy(), start - 0.5 * start.T @ feed, rtol=1e-5, atol=1e-6)


def test_without_an_in_place_update_the_result_is_a_new_array_of_the_separate_ops_numbers():
    x, w, grad = _graph()
    feed = _data(8, 5, seed=7)
    value = w - grad * 0.1
    fused_value = static.function([x], value, passes={"inplace_updates": False})(feed)
    plain_value = static.function([x], value, passes={"inplace_updates": False, **OFF})(feed)
    numpy.testing.assert_array_equal(fused_value, plain_value)
