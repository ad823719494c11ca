"""The GradientTape: orders of differentiation, custom Functions, watching rules, structure of
sources, and the release of activations once gradient() has answered."""

import gc
import weakref

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import dispatch
from kerasish.backends.custom_gradient import Function
from kerasish.backends.dynamic import Tensor, no_grad
from kerasish.backends.primitives.registry import Primitive


def tensor(*values):
    return Tensor(numpy.array(values, dtype="float32"))


def cube(x):
    return x * x * x


def _run(engine, step):
    return kerasish.function(step, engine=engine)()


def test_first_order_gradient_of_a_variable(engine):
    x = kerasish.Variable(numpy.array([1.0, -2.0, 3.0], "float32"))

    def step():
        with kerasish.GradientTape() as tape:
            y = ops.sum(cube(x))
        return tape.gradient(y, x)

    numpy.testing.assert_allclose(_run(engine, step).numpy(), 3 * x.numpy() ** 2)


def test_second_order_is_six_x_and_third_order_is_six():
    x = tensor(1.0, -2.0, 0.5)
    with kerasish.GradientTape() as third:
        third.watch(x)
        with kerasish.GradientTape() as second:
            second.watch(x)
            with kerasish.GradientTape() as first:
                first.watch(x)
                y = cube(x)
            dy = first.gradient(y, x)
        d2y = second.gradient(dy, x)
    d3y = third.gradient(d2y, x)
    numpy.testing.assert_allclose(dy.numpy(), 3 * x.numpy() ** 2, rtol=1e-6)
    numpy.testing.assert_allclose(d2y.numpy(), 6 * x.numpy(), rtol=1e-6)
    numpy.testing.assert_allclose(d3y.numpy(), [6.0, 6.0, 6.0], rtol=1e-6)


def test_second_order_through_a_matrix_product(engine):
    # eagerly matmul's rule gives G Bᵀ and Aᵀ G as the transposed-product ops (traced: transpose and matmul),
    # which an outer tape differentiates again: s = sum(dy/da) = 1ᵀ a b bᵀ 1, ds/db = u (bᵀ1)ᵀ + 1 (bᵀu)ᵀ, u = aᵀ1
    rng = numpy.random.default_rng(0)
    a_value, b_value = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    a, b = kerasish.Variable(a_value.astype("float32")), kerasish.Variable(b_value.astype("float32"))

    def step():
        with kerasish.GradientTape() as outer:
            with kerasish.GradientTape() as inner:
                y = 0.5 * ops.sum(ops.square(ops.matmul(a, b)))
            d_a, d_b = inner.gradient(y, [a, b])
            s = ops.sum(d_a)
        return d_a, d_b, outer.gradient(s, b)

    d_a, d_b, d2 = _run(engine, step)
    ones_m, ones_k = numpy.ones(3), numpy.ones(4)
    u = a_value.T @ ones_m
    numpy.testing.assert_allclose(d_a.numpy(), a_value @ b_value @ b_value.T, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(d_b.numpy(), a_value.T @ a_value @ b_value, rtol=1e-5, atol=1e-5)
    expected = numpy.outer(u, b_value.T @ ones_k) + numpy.outer(ones_k, b_value.T @ u)
    numpy.testing.assert_allclose(d2.numpy(), expected, rtol=1e-5, atol=1e-5)


def test_a_persistent_tape_answers_many_gradients():
    x = tensor(2.0, 3.0)
    with kerasish.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = cube(x)
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [4.0, 6.0])
    numpy.testing.assert_allclose(tape.gradient(z, x).numpy(), [12.0, 27.0])
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [4.0, 6.0])


def test_a_non_persistent_tape_refuses_a_second_gradient_clearly():
    x = tensor(2.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used to compute one set"):
        tape.gradient(y, x)


def test_the_tape_frees_activations_after_gradient():
    x = tensor(1.0, 2.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        hidden = ops.exp(x)
        y = hidden * x
    alive = weakref.ref(hidden)
    del hidden
    gc.collect()
    assert alive() is not None, "before gradient() the tape must hold what the backward pass needs"
    grad = tape.gradient(y, x)
    gc.collect()
    assert alive() is None, "after gradient() a non-persistent tape must not keep activations alive"
    numpy.testing.assert_allclose(grad.numpy(), numpy.exp(x.numpy()) * (1 + x.numpy()), rtol=1e-6)


def test_the_backward_pass_frees_each_activation_once_played_back():
    seen_while_backward = []

    class Probe(Function):
        """Identity whose backward records whether the later activation is still alive."""

        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            gc.collect()
            seen_while_backward.append(alive() is not None)
            return grad

    x = tensor(0.5, 1.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        hidden = ops.exp(Probe.apply(x))
        y = ops.sum(ops.exp(hidden))
    alive = weakref.ref(hidden)
    del hidden
    grad = tape.gradient(y, x)
    assert seen_while_backward == [False], "the activation after the probe must be freed before the probe's backward"
    numpy.testing.assert_allclose(grad.numpy(), numpy.exp(numpy.exp(x.numpy())) * numpy.exp(x.numpy()), rtol=1e-6)


def test_records_keep_only_the_values_their_rules_read(monkeypatch):
    x = Tensor(numpy.random.default_rng(0).standard_normal((2, 64, 64, 8)).astype("float32"))
    kernel = kerasish.Variable(numpy.random.default_rng(1).standard_normal((3, 3, 8, 8)).astype("float32") * 0.1)
    bias = kerasish.Variable(numpy.full(8, 0.5, "float32"))
    with kerasish.GradientTape() as tape:
        convolved = ops.conv(x, kernel, padding="same")  # 65536 values: the tape may keep only its shape
        y = ops.sum(ops.relu(convolved + bias))
    alive = weakref.ref(convolved)
    del convolved
    gc.collect()
    assert alive() is None, "neither the conv's rule nor the add's reads the conv output: it must be freed"
    kernel_grad, bias_grad = tape.gradient(y, [kernel, bias])
    from kerasish.backends.dynamic import tape as tape_module

    monkeypatch.setattr(tape_module, "LARGE", float("inf"))  # the reference keeps every value
    with kerasish.GradientTape() as kept:
        kept_y = ops.sum(ops.relu(ops.conv(x, kernel, padding="same") + bias))
    expected = kept.gradient(kept_y, [kernel, bias])
    numpy.testing.assert_allclose(kernel_grad.numpy(), expected[0].numpy(), rtol=1e-5)
    numpy.testing.assert_allclose(bias_grad.numpy(), expected[1].numpy(), rtol=1e-5)


def test_constant_tensors_are_watched_only_on_request():
    x = tensor(1.0, 2.0)
    with kerasish.GradientTape(persistent=True) as tape:
        y = x * x
        tape.watch(x)
        z = x * x
    assert tape.gradient(y, x) is None
    numpy.testing.assert_allclose(tape.gradient(z, x).numpy(), [2.0, 4.0])


def test_watch_refuses_what_is_not_a_tensor():
    with kerasish.GradientTape() as tape:
        with pytest.raises(TypeError, match="GradientTape.watch expects Tensors or Variables, got list"):
            tape.watch([[1.0]])


def test_accessed_trainable_variables_are_watched_unless_disabled():
    trainable = kerasish.Variable(numpy.array([3.0], "float32"))
    frozen = kerasish.Variable(numpy.array([4.0], "float32"), trainable=False)
    with kerasish.GradientTape() as tape:
        y = trainable * frozen
    assert tape.watched_variables() == [trainable]
    assert tape.gradient(y, [trainable, frozen])[1] is None

    with kerasish.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(frozen)
        y = trainable * frozen
    assert tape.watched_variables() == [frozen]
    grads = tape.gradient(y, [trainable, frozen])
    assert grads[0] is None
    numpy.testing.assert_allclose(grads[1].numpy(), [3.0])


def test_no_grad_and_stop_recording_leave_ops_off_the_tape():
    x = tensor(2.0)
    with kerasish.GradientTape(persistent=True) as tape:
        tape.watch(x)
        with no_grad():
            paused = x * x
        with tape.stop_recording():
            stopped = x * x
        recorded = x * x
    assert tape.gradient(paused, x) is None
    assert tape.gradient(stopped, x) is None
    numpy.testing.assert_allclose(tape.gradient(recorded, x).numpy(), [4.0])


def test_stop_gradient_blocks_one_path():
    x = tensor(3.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = x * ops.stop_gradient(x)
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0])


def test_gradient_keeps_the_structure_of_the_sources(engine):
    a = kerasish.Variable(numpy.array([1.0, 2.0], "float32"))
    b = kerasish.Variable(numpy.array([5.0], "float32"))

    def step():
        with kerasish.GradientTape(persistent=True) as tape:
            y = ops.sum(a * a) + ops.sum(b * 3.0)
        return tape.gradient(y, {"a": a, "b": b}), tape.gradient(y, [a, b]), tape.gradient(y, (b,))

    as_dict, as_list, as_tuple = _run(engine, step)
    assert set(as_dict) == {"a", "b"} and isinstance(as_list, list) and isinstance(as_tuple, tuple)
    numpy.testing.assert_allclose(as_dict["a"].numpy(), [2.0, 4.0])
    numpy.testing.assert_allclose(as_dict["b"].numpy(), [3.0])
    numpy.testing.assert_allclose(as_list[0].numpy(), [2.0, 4.0])
    numpy.testing.assert_allclose(as_tuple[0].numpy(), [3.0])


def test_unconnected_gradients_are_none_or_zero(engine):
    used = kerasish.Variable(numpy.array([2.0], "float32"))
    unused = kerasish.Variable(numpy.ones((2, 3), "float32"))

    def step():
        with kerasish.GradientTape(persistent=True) as tape:
            y = used * used
        return (tape.gradient(y, [used, unused]), tape.gradient(y, [used, unused], unconnected_gradients="zero"))

    as_none, as_zero = _run(engine, step)
    assert as_none[1] is None
    numpy.testing.assert_array_equal(as_zero[1].numpy(), numpy.zeros((2, 3)))
    numpy.testing.assert_allclose(as_zero[0].numpy(), [4.0])


def test_unconnected_gradients_rejects_other_values():
    x = tensor(1.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="unconnected_gradients must be 'none' or 'zero', got 'zeros'"):
        tape.gradient(y, x, unconnected_gradients="zeros")


def test_output_gradients_seed_the_backward_pass():
    x = tensor(1.0, 2.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    numpy.testing.assert_allclose(tape.gradient(y, x, output_gradients=tensor(10.0, -1.0)).numpy(), [20.0, -4.0])


def test_broadcast_inputs_get_gradients_of_their_own_shape():
    bias = kerasish.Variable(numpy.zeros(3, "float32"))
    x = Tensor(numpy.ones((4, 3), "float32"))
    with kerasish.GradientTape() as tape:
        y = ops.sum(x + bias)
    numpy.testing.assert_allclose(tape.gradient(y, bias).numpy(), [4.0, 4.0, 4.0])


def test_one_variable_shared_by_two_tapes_gets_both_gradients():
    w = kerasish.Variable(numpy.array([2.0], "float32"))
    with kerasish.GradientTape() as outer:
        with kerasish.GradientTape() as inner:
            y = w * w
        z = y * w
    numpy.testing.assert_allclose(inner.gradient(y, w).numpy(), [4.0])
    numpy.testing.assert_allclose(outer.gradient(z, w).numpy(), [12.0])


class Doubled(Function):
    """Forward doubles; backward deliberately claims slope 10, so the test can see which one ran."""

    @staticmethod
    def forward(ctx, x):
        return x * 2.0

    @staticmethod
    def backward(ctx, grad):
        return grad * 10.0


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x * x


def test_a_custom_function_uses_its_own_backward():
    x = tensor(1.0, 4.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = Doubled.apply(x)
    numpy.testing.assert_allclose(y.numpy(), [2.0, 8.0])
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [10.0, 10.0])


def test_a_custom_function_backward_written_with_ops_differentiates_again():
    x = tensor(2.0, -1.0)
    with kerasish.GradientTape() as outer:
        outer.watch(x)
        with kerasish.GradientTape() as inner:
            inner.watch(x)
            y = Cube.apply(x)
        dy = inner.gradient(y, x)
    numpy.testing.assert_allclose(dy.numpy(), [12.0, 3.0])
    numpy.testing.assert_allclose(outer.gradient(dy, x).numpy(), [12.0, -6.0])


def test_a_custom_function_backward_of_the_wrong_shape_is_an_error():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            return Tensor(numpy.ones((5, 5), "float32"))

    x = tensor(1.0, 2.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = Wrong.apply(x)
    with pytest.raises(ValueError, match=r"gradient of Wrong: .*\(5, 5\)"):
        tape.gradient(y, x)


def test_a_custom_function_backward_must_answer_every_input():
    class Pair(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad

    a, b = tensor(1.0), tensor(2.0)
    with kerasish.GradientTape() as tape:
        tape.watch([a, b])
        y = Pair.apply(a, b)
    with pytest.raises(ValueError, match="Pair.backward returned 1 gradients for 2 inputs"):
        tape.gradient(y, [a, b])


def test_a_custom_function_record_keeps_only_its_saved_tensors():
    class StraightThrough(Function):
        @staticmethod
        def forward(ctx, x):
            return ops.round(x)

        @staticmethod
        def backward(ctx, grad):
            return grad

    from kerasish.backends.dynamic import tape as tape_module

    x = Tensor(numpy.random.default_rng(0).standard_normal(tape_module.LARGE).astype("float32"))
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        hidden = x * 2.0  # read by nobody's backward: the Function's record keeps only its shape
        y = ops.sum(StraightThrough.apply(hidden))
    alive = weakref.ref(hidden)
    del hidden
    gc.collect()
    assert alive() is None, "a Function's record must not keep inputs its backward was not given"
    numpy.testing.assert_array_equal(tape.gradient(y, x).numpy(), numpy.full(tape_module.LARGE, 2.0, "float32"))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_the_default_seed_is_ones_of_the_target_dtype(dtype):
    x = Tensor(numpy.array([1.5, -2.0], dtype))
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    gradient = tape.gradient(y, x)
    assert gradient.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(gradient.numpy(), 2 * x.numpy())


def _rule_test_primitive(name, vjp):
    """`x * y` (y broadcast to x) with the given rule: a primitive of the test's own, not registered."""
    return Primitive(name, lambda xp, x, y: x * y, vjp, lambda shapes, dtypes: (tuple(shapes[0]), dtypes[0]))


def test_a_rule_must_answer_every_input(engine):
    short = _rule_test_primitive("short_rule", lambda g, inputs, output, needs: (g,))
    x, y = kerasish.Variable(numpy.ones((2, 3), "float32")), kerasish.Variable(numpy.ones(3, "float32"))

    def step():
        with kerasish.GradientTape() as tape:
            z = ops.sum(short(x, y))
        return tape.gradient(z, [x, y])

    with pytest.raises(ValueError, match="gradient of short_rule: the rule returned 1 gradients for 2 inputs"):
        _run(engine, step)


def test_a_rule_gradient_is_summed_to_its_input_shape_or_names_the_input(engine):
    """A rule may leave a broadcast input's gradient at the output's shape (the walk sums it back); one that cannot
    be summed back is an error naming the op and the input's position."""
    broadcast = _rule_test_primitive("broadcast_rule", lambda g, inputs, output, needs: (g * inputs[1], g * inputs[0]))
    wrong = _rule_test_primitive("wrong_rule", lambda g, inputs, output, needs: (g, ops.ones((2, 4))))
    x = kerasish.Variable(numpy.arange(6, dtype="float32").reshape(2, 3))
    y = kerasish.Variable(numpy.array([1.0, 2.0, 3.0], "float32"))

    def step(op):
        def run():
            with kerasish.GradientTape() as tape:
                z = ops.sum(op(x, y))
            return tape.gradient(z, [x, y])

        return run

    d_x, d_y = _run(engine, step(broadcast))
    numpy.testing.assert_allclose(numpy.asarray(d_x), numpy.broadcast_to(y.numpy(), (2, 3)))
    numpy.testing.assert_allclose(numpy.asarray(d_y), x.numpy().sum(axis=0))
    message = r"gradient of wrong_rule: the gradient of input 1 has shape \(2, 4\), which does not match the input's"
    with pytest.raises(ValueError, match=message):
        _run(engine, step(wrong))


def test_a_seed_given_as_an_array_comes_back_as_a_tensor():
    x = tensor(1.0, 2.0)
    with kerasish.GradientTape() as tape:
        tape.watch(x)
    gradient = tape.gradient(x, x, output_gradients=numpy.array([3.0, 4.0], "float32"))
    assert type(gradient) is Tensor
    numpy.testing.assert_allclose(gradient.numpy(), [3.0, 4.0])


def test_an_op_is_one_call_of_dispatch_apply():
    assert Primitive.__call__ is dispatch.apply
    numpy.testing.assert_allclose(ops.add(tensor(1.0), 2.0).numpy(), [3.0])
