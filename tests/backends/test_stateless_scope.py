"""`kerasish.StatelessScope` (Keras 3): ops read mapped values, assignments stay in the scope, losses
can be collected; on both engines."""

import os

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.stateless_scope import get_stateless_scope, in_stateless_scope


def _run(engine, step, *arrays):
    tensors = [Tensor(numpy.asarray(a, "float32")) for a in arrays]
    result = step(*tensors) if engine == "dynamic" else kerasish.function(step, engine="static")(*tensors)
    return [numpy.asarray(r) for r in result]


def test_ops_read_the_mapped_value_and_the_variable_keeps_its_own(engine):
    v = kerasish.Variable(numpy.ones(3, "float32"))
    other = kerasish.Variable(numpy.full(3, 10.0, "float32"))

    def step(value):
        with kerasish.StatelessScope(state_mapping=[(v, value)]):
            return [ops.add(v, 1.0), v * other, ops.multiply(other, 2.0)]

    added, product, unmapped = _run(engine, step, [2.0, 3.0, 4.0])
    numpy.testing.assert_array_equal(added, [3.0, 4.0, 5.0])
    numpy.testing.assert_array_equal(product, [20.0, 30.0, 40.0])
    numpy.testing.assert_array_equal(unmapped, [20.0, 20.0, 20.0])
    numpy.testing.assert_array_equal(v.numpy(), numpy.ones(3))


def test_assignments_stay_in_the_scope_and_later_reads_see_them(engine):
    v = kerasish.Variable(numpy.ones(3, "float32"))

    def step(x):
        with kerasish.StatelessScope() as scope:
            v.assign(x * 2.0)
            v.assign_add(numpy.ones(3, "float32"))
            seen = v * 1.0
        return [seen, scope.get_current_value(v)]

    seen, current = _run(engine, step, [1.0, 2.0, 3.0])
    numpy.testing.assert_array_equal(seen, [3.0, 5.0, 7.0])
    numpy.testing.assert_array_equal(current, [3.0, 5.0, 7.0])
    numpy.testing.assert_array_equal(v.numpy(), numpy.ones(3))  # the compiled function applies no update either
    if engine == "static":
        kerasish.function(lambda x: [(v.assign(x), v * 1.0)[1]], engine="static")(Tensor(numpy.zeros(3, "float32")))
        numpy.testing.assert_array_equal(v.numpy(), numpy.zeros(3))  # outside a scope, an update as before


def test_gradients_flow_to_the_mapped_values(engine):
    kernel = kerasish.Variable(numpy.zeros((2, 2), "float32"))

    def step(value, x):
        with kerasish.GradientTape() as tape:
            tape.watch(value)
            with kerasish.StatelessScope(state_mapping=[(kernel, value)]):
                loss = ops.sum(ops.matmul(x, kernel) ** 2)
        return [loss, tape.gradient(loss, value)]

    value = numpy.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    x = numpy.array([[1.0, -1.0]], "float32")
    loss, gradient = _run(engine, step, value, x)
    y = x @ value
    numpy.testing.assert_allclose(loss, (y**2).sum())
    numpy.testing.assert_allclose(gradient, x.T @ (2 * y))


class _Penalised(layers.Layer):
    def call(self, x):
        self.add_loss(ops.sum(x) * 0.5)
        return x


def test_collect_losses_takes_add_loss_from_the_layers():
    layer = _Penalised()
    x = numpy.ones((2, 2), "float32")
    with kerasish.StatelessScope(collect_losses=True) as scope:
        layer(x)
    assert [float(numpy.asarray(loss)) for loss in scope.losses] == [2.0]
    assert layer.losses == []
    with kerasish.StatelessScope() as scope:
        layer(x)
    assert scope.losses == [] and layer.losses == []  # as in Keras: dropped
    layer(x)
    assert [float(numpy.asarray(loss)) for loss in layer.losses] == [2.0]


def test_nested_scopes():
    a = kerasish.Variable(numpy.zeros(2, "float32"))
    b = kerasish.Variable(numpy.zeros(2, "float32"))
    assert not in_stateless_scope()
    with kerasish.StatelessScope(state_mapping=[(a, [1.0, 1.0]), (b, [2.0, 2.0])]) as outer:
        with kerasish.StatelessScope(state_mapping=[(a, [5.0, 5.0])]) as inner:
            assert get_stateless_scope() is inner
            numpy.testing.assert_array_equal(numpy.asarray(a + b), [7.0, 7.0])  # b as the outer scope maps it
            b.assign([3.0, 3.0])
        assert get_stateless_scope() is outer
        numpy.testing.assert_array_equal(numpy.asarray(inner.get_current_value(b)), [3.0, 3.0])
        numpy.testing.assert_array_equal(numpy.asarray(a + b), [3.0, 3.0])
    assert not in_stateless_scope()
    numpy.testing.assert_array_equal(a.numpy() + b.numpy(), [0.0, 0.0])


def test_variables_made_inside_a_scope_hold_their_initial_values():
    with kerasish.StatelessScope():
        layer = layers.Dense(3, kernel_initializer="ones", bias_initializer="zeros")
        outputs = layer(numpy.ones((1, 2), "float32"))
    numpy.testing.assert_array_equal(numpy.asarray(outputs), [[2.0, 2.0, 2.0]])
    numpy.testing.assert_array_equal(layer.kernel.numpy(), numpy.ones((2, 3)))


def test_bad_mappings_are_refused():
    v = kerasish.Variable(numpy.zeros(3, "float32"))
    with pytest.raises(ValueError, match="all keys in argument `mapping` must be Variable instances"):
        kerasish.StatelessScope(state_mapping=[(numpy.zeros(3), numpy.ones(3))])
    with pytest.raises(ValueError, match=r"(?s)must be tensors with a shape that matches .* with shape \(2,\)"):
        kerasish.StatelessScope(state_mapping=[(v, numpy.ones(2))])
    with kerasish.StatelessScope():
        with pytest.raises(ValueError, match=r"cannot assign a value of shape \(4,\) to a variable of shape \(3,\)"):
            v.assign(numpy.ones(4))


def test_stateless_dense_call_matches_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((4, 3)).astype("float32")
    kernel, bias = rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal(2).astype("float32")
    results = []
    for module in (keras, kerasish):
        layer = module.layers.Dense(2)
        layer.build((None, 3))
        counter = module.Variable(numpy.zeros(2, "float32"), trainable=False)
        with module.StatelessScope(state_mapping=[(layer.kernel, kernel), (layer.bias, bias)]) as scope:
            y = layer(x)
            counter.assign(module.ops.sum(y, axis=0))
        results.append((numpy.asarray(y), numpy.asarray(scope.get_current_value(counter)), counter.numpy()))
    for theirs, ours in zip(*results):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
