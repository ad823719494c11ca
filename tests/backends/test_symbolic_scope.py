"""`kerasish.SymbolicScope` (Keras 3): inside it ops only work out shapes and dtypes (KerasTensors)."""

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic_scope import get_symbolic_scope, in_symbolic_scope


def test_ops_give_specs_inside_and_values_outside():
    x = Tensor(numpy.ones((2, 3), "float32"))
    v = kerasish.Variable(numpy.ones((3, 4), "float16"))
    with kerasish.SymbolicScope():
        product = ops.matmul(x, ops.cast(v, "float32"))
        total = ops.sum(numpy.ones((5, 2), "int32"), axis=0) + 1
    assert isinstance(product, kerasish.KerasTensor) and product.shape == (2, 4)
    assert product.dtype == numpy.float32
    assert isinstance(total, kerasish.KerasTensor) and total.shape == (2,) and total.dtype == numpy.int32
    numpy.testing.assert_array_equal(numpy.asarray(ops.matmul(x, ops.cast(v, "float32"))), numpy.full((2, 4), 3.0))


def test_scope_flags_nest():
    assert not in_symbolic_scope()
    with kerasish.SymbolicScope() as outer:
        with kerasish.SymbolicScope() as inner:
            assert get_symbolic_scope() is inner
        assert get_symbolic_scope() is outer
    assert not in_symbolic_scope() and get_symbolic_scope() is None


def test_a_layer_called_inside_builds_real_weights_and_returns_its_output_spec():
    layer = layers.Dense(5, kernel_initializer="ones")
    x = numpy.ones((4, 3), "float32")
    with kerasish.SymbolicScope():
        spec = layer(x)
    assert isinstance(spec, kerasish.KerasTensor) and spec.shape == (4, 5)
    numpy.testing.assert_array_equal(layer.kernel.numpy(), numpy.ones((3, 5)))
    numpy.testing.assert_array_equal(numpy.asarray(layer(x)), numpy.full((4, 5), 3.0))


def test_assignments_of_specs_change_nothing_and_are_shape_checked():
    v = kerasish.Variable(numpy.ones(3, "float32"))
    with kerasish.SymbolicScope():
        v.assign(v * 2.0)
        with pytest.raises(ValueError, match=r"cannot assign a value of shape \(2,\)"):
            v.assign(ops.ones((2,)) + v[:2])
    numpy.testing.assert_array_equal(v.numpy(), numpy.ones(3))
    with kerasish.StatelessScope() as scope, kerasish.SymbolicScope():
        v.assign(v * 2.0)
    assert isinstance(scope.get_current_value(v), kerasish.KerasTensor)
    numpy.testing.assert_array_equal(v.numpy(), numpy.ones(3))


def test_inside_a_static_trace_graph_tensors_become_specs_too():
    shapes = []

    def step(x):
        with kerasish.SymbolicScope():
            shapes.append(ops.concatenate([x, x], axis=1).shape)
        return ops.add(x, 1.0)

    result = kerasish.function(step, engine="static")(Tensor(numpy.zeros((2, 3), "float32")))
    assert shapes == [(2, 6)]
    numpy.testing.assert_array_equal(numpy.asarray(result), numpy.ones((2, 3)))
