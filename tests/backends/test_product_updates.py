"""Pending products: a variable's gradient kept as the product it comes from, and plain SGD's update added into the
variable's storage by one BLAS call at the end of the eager step (backends/product_updates.py)."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import dispatch, product_updates
from kerasish.backends.dynamic import Tensor
from kerasish.backends.kernels import blas
from kerasish.backends.primitives.linalg import PendingProduct
from kerasish.optimizers.sgd import SGD


@pytest.fixture(autouse=True)
def small_variables_pay(monkeypatch):
    """These tests' variables are small: let them take the path that large ones take."""
    monkeypatch.setattr(blas, "SMALLEST", 1)


def _array(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape).astype("float32")


def _gradients(loss_of, variables, pending):
    with kerasish.GradientTape() as tape:
        loss = loss_of()
    return tape.gradient(loss, variables, pending_products=pending)


@pytest.mark.parametrize("input_shape", [(6, 5), (3, 4, 5), (5,)], ids=["matrix", "sequence", "vector"])
def test_a_dense_kernel_gradient_comes_back_pending_and_its_value_is_the_gradient(input_shape):
    x = Tensor(_array(*input_shape))
    kernel, bias = kerasish.Variable(_array(5, 3, seed=1)), kerasish.Variable(_array(3, seed=2))

    def loss_of():
        return ops.sum(ops.square(ops.relu(ops.matmul(x, kernel) + bias)))

    plain = _gradients(loss_of, [kernel, bias], pending=False)
    pending = _gradients(loss_of, [kernel, bias], pending=True)
    assert type(plain[0]) is Tensor and type(pending[0]) is PendingProduct
    assert type(pending[1]) is Tensor  # a bias's gradient is a sum, not a product
    assert pending[0].shape == (5, 3) and pending[0].dtype == numpy.dtype("float32")
    numpy.testing.assert_array_equal(pending[0].value().numpy(), plain[0].numpy())
    numpy.testing.assert_array_equal(pending[1].numpy(), plain[1].numpy())


def test_a_pending_gradient_takes_no_transpose_op(monkeypatch):
    x = Tensor(_array(6, 5))
    kernel = kerasish.Variable(_array(5, 3, seed=1))
    with kerasish.GradientTape() as tape:
        loss = ops.sum(ops.matmul(x, kernel))
    names, run = [], dispatch.ENGINES["dynamic"]
    monkeypatch.setitem(dispatch.ENGINES, "dynamic", lambda prim, *rest: names.append(prim.name) or run(prim, *rest))
    (gradient,) = tape.gradient(loss, [kernel], pending_products=True)
    assert type(gradient) is PendingProduct and "transpose" not in names


def test_a_variable_read_twice_or_differentiated_as_itself_is_computed():
    x = Tensor(_array(4, 3))
    shared = kerasish.Variable(_array(3, 3, seed=1))
    twice = _gradients(lambda: ops.sum(ops.matmul(ops.matmul(x, shared), shared)), [shared], pending=True)
    assert type(twice[0]) is Tensor
    vector = kerasish.Variable(_array(3, seed=3))
    assert type(_gradients(lambda: ops.sum(ops.matmul(x, vector)), [vector], pending=True)[0]) is Tensor
    with kerasish.GradientTape() as tape:
        total = ops.sum(ops.matmul(x, shared))
    gradients = tape.gradient([total, shared], [shared], pending_products=True)  # the variable is a target too
    assert type(gradients[0]) is Tensor


def test_a_variable_under_the_smallest_size_gets_its_gradient_computed(monkeypatch):
    x = Tensor(_array(6, 5))
    kernel = kerasish.Variable(_array(5, 3, seed=1))
    monkeypatch.setattr(blas, "SMALLEST", kernel.shape[0] * kernel.shape[1] + 1)
    assert type(_gradients(lambda: ops.sum(ops.matmul(x, kernel)), [kernel], pending=True)[0]) is Tensor


def _pending_update(seed=0):
    a, g = Tensor(_array(5, 7, seed=seed)), Tensor(_array(5, 3, seed=seed + 1))
    variable = kerasish.Variable(_array(7, 3, seed=seed + 2))
    return variable, PendingProduct(a, g), variable.numpy() - 0.1 * (a.numpy().T @ g.numpy())


def test_a_queued_update_is_done_in_place_when_the_step_ends():
    variable, product, expected = _pending_update()
    storage = variable._data
    with product_updates.Step():
        assert product_updates.queue(variable, product, 0.1)
        assert not numpy.allclose(variable.numpy(), expected)  # not before the step ends
    assert variable._data is storage
    numpy.testing.assert_allclose(variable.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_a_variable_assigned_after_its_update_was_queued_gets_the_update_on_its_new_value():
    variable, product, _ = _pending_update()
    replaced = _array(7, 3, seed=7)
    with product_updates.Step():
        assert product_updates.queue(variable, product, 0.1)
        variable.assign(replaced)  # a new storage: the one checked when queued is gone
    expected = replaced - 0.1 * (product.left.numpy().T @ product.right.numpy())
    numpy.testing.assert_allclose(variable.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_a_step_that_raises_drops_its_queued_updates():
    variable, product, _ = _pending_update()
    before = variable.numpy()
    with pytest.raises(RuntimeError, match="metric failed"), product_updates.Step():
        product_updates.queue(variable, product, 0.1)
        raise RuntimeError("metric failed")
    numpy.testing.assert_array_equal(variable.numpy(), before)
    with product_updates.Step():  # and the next step starts with nothing queued
        pass
    numpy.testing.assert_array_equal(variable.numpy(), before)


def test_a_queued_momentum_update_then_moves_its_weight():
    momentum, product, _ = _pending_update()
    weight = kerasish.Variable(_array(7, 3, seed=9))
    expected_momentum = 0.9 * momentum.numpy() - 0.1 * (product.left.numpy().T @ product.right.numpy())
    expected_weight = weight.numpy() + expected_momentum
    with product_updates.Step():
        assert product_updates.queue(momentum, product, 0.1, 0.9, then_into=weight)
    numpy.testing.assert_allclose(momentum.numpy(), expected_momentum, rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(weight.numpy(), expected_weight, rtol=1e-6, atol=1e-6)


def test_nothing_is_queued_outside_a_step_or_where_gemm_cannot_run(monkeypatch):
    variable, product, _ = _pending_update()
    assert not product_updates.queue(variable, product, 0.1)
    half = kerasish.Variable(_array(7, 3), dtype="float16")
    with product_updates.Step():
        assert not product_updates.queue(half, product, 0.1)
    monkeypatch.setattr(blas, "suits", lambda c, a, b: False)
    with product_updates.Step():
        assert not product_updates.queue(variable, product, 0.1)


def _mlp():
    inputs = kerasish.Input((12,))
    hidden = kerasish.layers.Dense(16, activation="relu")(inputs)
    model = kerasish.Model(inputs, kerasish.layers.Dense(4)(hidden))
    model.set_weights([_array(*variable.shape, seed=index) for index, variable in enumerate(model.weights)])
    return model


def _fit(engine, optimizer, steps=3):
    model = _mlp()
    model.compile(
        optimizer=optimizer, loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True), backend=engine
    )
    x, y = _array(8 * steps, 12, seed=5), numpy.arange(8 * steps) % 4
    storages = [variable._data for variable in model.trainable_variables]  # held: ids could be handed out again
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    in_place = [variable._data is storage for variable, storage in zip(model.trainable_variables, storages)]
    return [variable.numpy() for variable in model.trainable_variables], in_place


@pytest.mark.parametrize(
    "options", [{}, {"weight_decay": 0.05}, {"momentum": 0.9}], ids=["plain", "weight_decay", "momentum"]
)
def test_fit_with_sgd_updates_dense_kernels_in_place_with_the_same_result(engine, options, monkeypatch):
    weights, in_place = _fit(engine, SGD(0.1, **options))
    if engine == "dynamic" and "weight_decay" not in options:
        assert in_place == [True, False, True, False]  # the kernels; biases take a new storage each step
    monkeypatch.setattr(SGD, "accepts_pending_products", lambda self: False)
    computed, _ = _fit(engine, SGD(0.1, **options))
    for new, old in zip(weights, computed):
        numpy.testing.assert_allclose(new, old, rtol=1e-5, atol=1e-6)


def test_fit_falls_back_to_the_computed_gradient_where_gemm_cannot_run(monkeypatch):
    weights, _ = _fit("dynamic", SGD(0.1))
    monkeypatch.setattr(blas, "suits", lambda c, a, b: False)
    fallback, in_place = _fit("dynamic", SGD(0.1))
    assert not any(in_place)
    for new, old in zip(weights, fallback):
        numpy.testing.assert_allclose(new, old, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "options",
    [{"momentum": 0.9, "nesterov": True}, {"clipnorm": 1.0}, {"use_ema": True}],
    ids=["nesterov", "clipnorm", "ema"],
)
def test_only_sgd_without_nesterov_or_gradient_transforms_accepts_pending_products(options):
    assert SGD(0.1).accepts_pending_products() and SGD(0.1, momentum=0.9).accepts_pending_products()
    assert not SGD(0.1, **options).accepts_pending_products()
    assert not kerasish.optimizers.Adam().accepts_pending_products()

    class OwnStep(SGD):
        def update_step(self, gradient, variable, learning_rate):
            variable.assign(variable - gradient * learning_rate)

    assert not OwnStep(0.1).accepts_pending_products()


def test_a_step_whose_metric_raises_leaves_the_kernels_as_they_were():
    class FailsOnSecondStep(kerasish.metrics.Metric):
        def __init__(self):
            super().__init__(name="fails")
            self.calls = 0

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.calls += 1
            if self.calls == 2:
                raise ValueError("metric failed on the second step")

        def result(self):
            return ops.convert_to_tensor(0.0)

    model = _mlp()
    model.compile(
        optimizer=SGD(0.1),
        loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[FailsOnSecondStep()],
        backend="dynamic",
    )
    x, y = _array(16, 12, seed=5), numpy.arange(16) % 4
    model.fit(x[:8], y[:8], batch_size=8, epochs=1, shuffle=False, verbose=0)
    before = [variable.numpy() for variable in model.trainable_variables]
    with pytest.raises(ValueError, match="second step"):
        model.fit(x[8:], y[8:], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for variable, value in zip(model.trainable_variables, before):
        numpy.testing.assert_array_equal(variable.numpy(), value)
