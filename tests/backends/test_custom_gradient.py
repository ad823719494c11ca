"""Gradients the user writes (`kerasish.Function`, `ops.custom_gradient`) on both engines, and the
backward walk both engines share: same values, same errors."""

import warnings

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.primitives.registry import Primitive, same_as_first
from kerasish.models import Sequential
from kerasish.utils.engine_parity import check_engines_agree

ENGINES = ["dynamic", "static"]


def run(engine, fn, *arrays):
    """`fn(*tensors)` called through kerasish.function on `engine`, results as numpy arrays."""
    result = kerasish.function(fn, engine=engine)(*[Tensor(numpy.asarray(a)) for a in arrays])
    if isinstance(result, (list, tuple)):
        return [None if r is None else numpy.asarray(r) for r in result]
    return numpy.asarray(result)


def gradient_of(function):
    """x -> (sum(function(x)), its gradient with respect to x)."""

    def step(x):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            y = ops.sum(function(x))
        return y, tape.gradient(y, x)

    return step


def second_derivative_of(function):
    def step(x):
        with kerasish.GradientTape() as outer:
            outer.watch(x)
            with kerasish.GradientTape() as inner:
                inner.watch(x)
                y = ops.sum(function(x))
            first = inner.gradient(y, x)
            total = ops.sum(first)
        return first, outer.gradient(total, x)

    return step


class StraightThrough(kerasish.Function):
    """Forward rounds; backward is the identity (the straight-through estimator)."""

    @staticmethod
    def forward(ctx, x):
        return ops.round(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


@ops.custom_gradient
def straight_through(x):
    def grad_fn(upstream):
        return upstream

    return ops.round(x), grad_fn


@ops.custom_gradient
def log1pexp(x):
    """Keras's own example: a stable gradient where the automatic one would be nan at x = 100."""
    e = ops.exp(x)

    def grad(*args, upstream=None):
        if upstream is None:
            (upstream,) = args
        return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

    return ops.log(1 + e), grad


class Cube(kerasish.Function):
    """Forward x**3; backward deliberately claims 5 x**2 (not 3 x**2), so a test sees which one ran."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 5.0 * x * x


X = numpy.array([0.2, 1.7, -0.6], "float32")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("estimator", [StraightThrough.apply, straight_through], ids=["Function", "custom_gradient"])
def test_the_straight_through_estimator_passes_the_gradient_on_both_engines(engine, estimator):
    value, grad = run(engine, gradient_of(lambda x: estimator(x) * 2.0), X)
    numpy.testing.assert_array_equal(value, 2.0 * numpy.round(X).sum())
    numpy.testing.assert_array_equal(grad, [2.0, 2.0, 2.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_the_straight_through_estimator_with_static_gradients_directly(engine):
    if engine == "dynamic":
        x = Tensor(X)
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            y = ops.sum(StraightThrough.apply(x))
        numpy.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 1.0, 1.0])
        return
    from kerasish.backends import static

    graph = static.Graph()
    with graph.as_default():
        x = static.placeholder((3,), "float32")
        y = ops.sum(StraightThrough.apply(x))
        f = static.function([x], static.gradients(y, x))
    numpy.testing.assert_array_equal(f(X), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_custom_gradient_follows_keras_example(engine):
    value, grad = run(engine, gradient_of(log1pexp), numpy.array([100.0, 0.0], "float64"))
    numpy.testing.assert_allclose(value, 100.0 + numpy.log(2.0), rtol=1e-6)
    numpy.testing.assert_allclose(grad, [1.0, 0.5], rtol=1e-6)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_second_derivative_through_a_custom_function(engine):
    x = numpy.array([2.0, -1.0, 0.5], "float64")
    first, second = run(engine, second_derivative_of(Cube.apply), x)
    numpy.testing.assert_allclose(first, 5 * x * x)
    numpy.testing.assert_allclose(second, 10 * x)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_second_derivative_through_custom_gradient_sees_the_forward_values(engine):
    x = numpy.array([0.3, -1.2], "float64")
    first, second = run(engine, second_derivative_of(log1pexp), x)
    sigmoid = 1 / (1 + numpy.exp(-x))
    numpy.testing.assert_allclose(first, sigmoid)
    numpy.testing.assert_allclose(second, sigmoid * (1 - sigmoid))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_custom_function_inside_a_scan_body(engine):
    """The static gradient of a scan copies its body into a new graph: the saved tensors follow the copy."""

    def program(xs):
        def step(carry, x):
            value = carry + Cube.apply(x)
            return value, value

        return ops.scan(step, ops.zeros_like(xs[0]), xs)[0]

    xs = numpy.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], "float32")
    value, grad = run(engine, gradient_of(program), xs)
    numpy.testing.assert_allclose(value, (xs**3).sum(), rtol=1e-6)
    numpy.testing.assert_allclose(grad, 5 * xs**2, rtol=1e-6)


def error_of(engine, fn, *arrays):
    with pytest.raises(ValueError) as caught:
        run(engine, fn, *arrays)
    return str(caught.value)


class Pair(kerasish.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, grad):
        return grad


class WrongShape(kerasish.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        return ops.ones((5, 5))


@ops.custom_gradient
def two_for_one(x):
    def grad_fn(upstream):
        return upstream, upstream

    return x * 2.0, grad_fn


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda x: Pair.apply(x, x), "gradient of Pair: Pair.backward returned 1 gradients for 2 inputs"),
        (
            WrongShape.apply,
            "gradient of WrongShape: the gradient of input 0 has shape (5, 5), which does not match "
            "the input's shape (3,)",
        ),
        (two_for_one, "gradient of two_for_one: grad_fn returned 2 gradients for 1 arguments"),
    ],
    ids=["count", "shape", "custom_gradient count"],
)
def test_a_wrong_backward_is_the_same_error_on_both_engines(fn, message):
    messages = [error_of(engine, gradient_of(fn), X) for engine in ENGINES]
    assert messages == [message, message]


@pytest.mark.parametrize("engine", ENGINES)
def test_custom_gradient_needs_one_output_and_a_grad_fn(engine):
    @ops.custom_gradient
    def two_outputs(x):
        return (x, x), lambda upstream: upstream

    @ops.custom_gradient
    def no_grad_fn(x):
        return x

    with pytest.raises(TypeError, match="custom_gradient: two_outputs must return one tensor as its output, got tuple"):
        run(engine, two_outputs, X)
    with pytest.raises(TypeError, match=r"custom_gradient: no_grad_fn must return a pair \(output, grad_fn\)"):
        run(engine, no_grad_fn, X)


def test_custom_gradient_on_keras_tensors_asks_for_a_layer():
    with pytest.raises(
        TypeError, match=r"custom_gradient: log1pexp was called on KerasTensors .* inside a Layer's call"
    ):
        log1pexp(kerasish.Input((3,)))


class QuantizedDense(layers.Layer):
    """A dense layer whose kernel is rounded to multiples of 0.5 in the forward pass and trained through
    the straight-through estimator (BinaryConnect style)."""

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), initializer="glorot_uniform", name="kernel")

    def call(self, inputs):
        return ops.matmul(inputs, StraightThrough.apply(self.kernel * 2.0) * 0.5)


def quantized_model():
    kerasish.utils.set_random_seed(0)
    model = Sequential([kerasish.Input((4,)), QuantizedDense(), layers.Dense(1)])
    model.compile(optimizer=kerasish.optimizers.SGD(0.05), loss="mse")
    return model


def quantized_data():
    x = numpy.random.default_rng(1).normal(size=(16, 4)).astype("float32")
    return x, x[:, :1] - x[:, 1:2]


def test_a_layer_with_a_custom_function_trains_alike_on_both_engines():
    model = quantized_model()
    report = check_engines_agree(model, *quantized_data(), steps=3)
    assert report["agree"], str(report)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_trains_through_the_straight_through_estimator(engine):
    model = quantized_model()
    model.compile(optimizer=kerasish.optimizers.SGD(0.05), loss="mse", backend=engine)
    before = model.layers[0].kernel.numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "gradients do not exist" warning
        model.fit(*quantized_data(), batch_size=16, epochs=2, verbose=0)
    assert not numpy.array_equal(before, model.layers[0].kernel.numpy())


# ----- the backward walk both engines share ----------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_unconnected_sources_get_none_or_zeros(engine):
    def step(x, other):
        with kerasish.GradientTape(persistent=True) as tape:
            tape.watch([x, other])
            y = ops.sum(x * x)
        return tape.gradient(y, [x, other]) + tape.gradient(y, [x, other], unconnected_gradients="zero")

    connected, unconnected, connected_too, zeros = run(engine, step, X, numpy.ones((2,), "float32"))
    numpy.testing.assert_allclose(connected, 2 * X)
    assert unconnected is None
    numpy.testing.assert_allclose(connected_too, 2 * X)
    numpy.testing.assert_array_equal(zeros, [0.0, 0.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rule_is_told_which_inputs_need_a_gradient(engine):
    seen = []

    def vjp(grad, inputs, output, needs):
        seen.append(needs)
        return grad, None if not needs[1] else grad

    scale = Primitive("probe", lambda xp, x, y: x * y, vjp, same_as_first)

    def step(x, constant):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            y = ops.sum(scale(x, constant * 1.0))
        return tape.gradient(y, x)

    grad = run(engine, step, X, numpy.full((3,), 2.0, "float32"))
    assert seen == [(True, False)]
    numpy.testing.assert_allclose(grad, [1.0, 1.0, 1.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_gradients_accumulate_over_every_path(engine):
    def program(x):
        a = ops.exp(x)
        return a * x + ops.sin(a) + StraightThrough.apply(a)

    x = numpy.array([0.1, -0.4], "float64")
    _, grad = run(engine, gradient_of(program), x)
    a = numpy.exp(x)
    numpy.testing.assert_allclose(grad, a * x + a + numpy.cos(a) * a + a)


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_needs_input_grad_says_which_inputs_lead_to_the_sources(engine):
    seen = []

    class Product(kerasish.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            a, b = ctx.saved_tensors
            return grad * b, grad * a

    a, b = kerasish.Variable(numpy.array([2.0, 3.0])), kerasish.Variable(numpy.array([5.0, 7.0]))

    def gradient():
        with kerasish.GradientTape() as tape:
            loss = ops.sum(Product.apply(a, b))
        return tape.gradient(loss, [a])

    kerasish.function(gradient, engine=engine)()
    assert seen == [(True, False)]
