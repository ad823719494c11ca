"""layer_normalization as one primitive after `moments`: the same values and gradients as the composition
it replaced (moments, then x * inverse + shift with ops), first and second order, on both engines, in float64
and float32, with gamma and beta present or absent, over one or several axes (the last, trailing, leading or
apart), with gamma given in x's rank; half precision computed in float32, as Keras does."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import static
from kerasish.backends.dynamic import GradientTape, Tensor
from kerasish.backends.primitives import PRIMITIVES
from kerasish.utils import gradcheck

from .cases import randn

# (shape, axis, parameter shape): gamma and beta as the layer makes them, or in x's rank
LAYOUTS = [
    ((4, 3, 5), -1, (5,)),
    ((4, 3, 5), [1, 2], (3, 5)),
    ((4, 3, 5), 1, (3,)),
    ((2, 3, 4, 5), [1, 3], (3, 5)),
    ((4, 3, 5), [0, 1, 2], (4, 3, 5)),
    ((4, 3, 5), -1, (1, 1, 5)),
]
PARAMETERS = [(True, True), (True, False), (False, True), (False, False)]


def _composed(x, gamma, beta, axis, epsilon):
    """The composition layer_normalization was before it became a primitive."""
    shape = tuple(x.shape)
    axes = tuple(sorted(a % len(shape) for a in (axis if isinstance(axis, list) else [axis])))

    def broadcast(value):
        if value is None or len(value.shape) == len(shape) or axes == (len(shape) - 1,):
            return value
        return ops.reshape(value, tuple(shape[i] if i in axes else 1 for i in range(len(shape))))

    mean, variance = ops.moments(x, axes, keepdims=True)
    inverse = 1.0 / ops.sqrt(variance + epsilon)
    gamma, beta = broadcast(gamma), broadcast(beta)
    if gamma is not None:
        inverse = inverse * gamma
    shift = -mean * inverse
    if beta is not None:
        shift = shift + beta
    return x * inverse + shift


def _fused(x, gamma, beta, axis, epsilon):
    return ops.layer_normalization(x, gamma, beta, axis=axis, epsilon=epsilon)


def _run(engine, step, arrays):
    if engine == "static":
        return [numpy.asarray(v) for v in kerasish.function(step, engine="static")(*arrays)]
    return [v.numpy() for v in step(*[Tensor(a) for a in arrays])]


def _first_order(normalize, arrays, direction, axis, scaled, centered, engine, epsilon=1e-3):
    def step(x, gamma, beta):
        with kerasish.GradientTape() as tape:
            tape.watch([x, gamma, beta])
            y = normalize(x, gamma if scaled else None, beta if centered else None, axis, epsilon)
            loss = ops.sum(y * direction)
        grads = tape.gradient(loss, [x, gamma, beta])
        return [y, *(g if g is not None else ops.zeros_like(v) for g, v in zip(grads, (x, gamma, beta)))]

    return _run(engine, step, arrays)


def _second_order(normalize, arrays, direction, axis, scaled, centered, engine, epsilon=1e-3):
    """d/d(x, gamma) of sum(dL/dx * v): every path of the gradient differentiated again."""
    projection = numpy.cos(numpy.arange(direction.size)).reshape(direction.shape).astype(direction.dtype)

    def step(x, gamma, beta):
        with kerasish.GradientTape() as outer:
            outer.watch([x, gamma, beta])
            with kerasish.GradientTape() as inner:
                inner.watch(x)
                y = normalize(x, gamma if scaled else None, beta if centered else None, axis, epsilon)
                loss = ops.sum(y * y * direction)
            d_x = inner.gradient(loss, x)
            projected = ops.sum(d_x * projection)
        grads = outer.gradient(projected, [x, gamma, beta])
        return [g if g is not None else ops.zeros_like(v) for g, v in zip(grads, (x, gamma, beta))]

    return _run(engine, step, arrays)


def _arrays(shape, parameter_shape, dtype):
    x = randn(*shape) * 2 + 3
    return [a.astype(dtype) for a in (x, randn(*parameter_shape, seed=1) + 1, randn(*parameter_shape, seed=2))]


@pytest.mark.parametrize("scaled, centered", PARAMETERS)
@pytest.mark.parametrize("shape, axis, parameter_shape", LAYOUTS)
def test_values_and_gradients_match_the_composition(engine, shape, axis, parameter_shape, scaled, centered):
    arrays, direction = _arrays(shape, parameter_shape, "float64"), randn(*shape, seed=3)
    fused = _first_order(_fused, arrays, direction, axis, scaled, centered, engine)
    composed = _first_order(_composed, arrays, direction, axis, scaled, centered, engine)
    for got, expected, name in zip(fused, composed, ["outputs", "d_x", "d_gamma", "d_beta"]):
        assert got.shape == expected.shape and got.dtype == numpy.float64, name
        numpy.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("shape, axis, parameter_shape", LAYOUTS[:3])
def test_float32_stays_float32_and_agrees_with_the_composition(engine, shape, axis, parameter_shape):
    arrays, direction = _arrays(shape, parameter_shape, "float32"), randn(*shape, seed=3).astype("float32")
    fused = _first_order(_fused, arrays, direction, axis, True, True, engine)
    composed = _first_order(_composed, arrays, direction, axis, True, True, engine)
    for got, expected, name in zip(fused, composed, ["outputs", "d_x", "d_gamma", "d_beta"]):
        assert got.dtype == numpy.float32, name
        numpy.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-5, err_msg=name)


@pytest.mark.parametrize("scaled, centered", PARAMETERS[:2] + PARAMETERS[3:])
@pytest.mark.parametrize("shape, axis, parameter_shape", LAYOUTS[:4])
def test_second_order_matches_the_composition(engine, shape, axis, parameter_shape, scaled, centered):
    arrays, direction = _arrays(shape, parameter_shape, "float64"), randn(*shape, seed=3)
    fused = _second_order(_fused, arrays, direction, axis, scaled, centered, engine)
    composed = _second_order(_composed, arrays, direction, axis, scaled, centered, engine)
    for got, expected, name in zip(fused, composed, ["d2_x", "d2_gamma", "d2_beta"]):
        numpy.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9, err_msg=name)


def _gradient_of(function, wrt, projection_seed):
    """inputs -> d sum(function(inputs) ** 3 ... projected) / d inputs[wrt], itself differentiable."""

    def gradient(*inputs):
        with GradientTape() as tape:
            tape.watch(inputs[wrt])
            y = function(*inputs)
            loss = ops.sum(y * y * y * randn(*y.shape, seed=projection_seed))
        return tape.gradient(loss, inputs[wrt])

    return gradient


def _normalize(x, gamma, beta):
    return ops.layer_normalization(x, gamma, beta, axis=[1, 2])


@pytest.mark.parametrize("wrt", [0, 1])
def test_second_and_third_order_against_finite_differences(wrt):
    arrays = _arrays((3, 4, 2), (4, 2), "float64")
    second = _gradient_of(_normalize, wrt, 4)
    assert gradcheck(second, arrays)
    assert gradcheck(_gradient_of(second, 0, 5), arrays)


@pytest.mark.parametrize("axes", [(1,), (0, 2)])
def test_the_gradient_primitive_differentiates_in_every_input(axes):
    """Statistics that are not x's own: their partial derivatives, which `moments` completes, checked alone."""
    shape = (3, 4, 2)
    statistics = numpy.stack([randn(*(1 if i in axes else n for i, n in enumerate(shape)), seed=s) for s in (5, 6)])
    statistics[1] = numpy.abs(statistics[1]) + 0.5
    gamma = randn(*(n if i in axes else 1 for i, n in enumerate(shape)), seed=7)

    def gradient(g, x, statistics, gamma):
        return PRIMITIVES["layer_normalization_gradient"](g, x, statistics, gamma, axes=axes, epsilon=1e-3)

    assert gradcheck(gradient, [randn(*shape, seed=8), randn(*shape, seed=9), statistics, gamma])


def test_a_static_training_step_computes_the_statistics_once_and_normalizes_in_one_node():
    x, gamma, beta = static.placeholder((None, 6)), static.placeholder((6,)), static.placeholder((6,))
    y = ops.layer_normalization(x, gamma, beta)
    function = static.function([x, gamma, beta], [y, *static.gradients(ops.sum(y * y * y), [x, gamma, beta])])
    names = [step.node.op.name for step in function.plan.steps]
    assert names.count("moments") == 1 and names.count("layer_normalization") == 1, names


@pytest.mark.parametrize("half", ["float16", "bfloat16"])
def test_half_precision_is_computed_in_float32(engine, half):
    if half == "bfloat16":
        pytest.importorskip("ml_dtypes")
    x, gamma, beta = _arrays((4, 3, 8), (8,), "float32")
    x = x * 10 + 100  # a large mean: the statistics in half precision would lose the variation

    def normalize(x, gamma, beta):
        inputs = ops.cast(x, half)
        with kerasish.GradientTape() as tape:
            tape.watch([inputs, gamma])
            y = ops.layer_normalization(inputs, gamma, beta)
            loss = ops.sum(ops.cast(y, "float32") * ops.cast(x, "float32"))
        return [y, *tape.gradient(loss, [inputs, gamma])]

    y, d_x, d_gamma = (
        [v.numpy() for v in normalize(*[Tensor(a) for a in (x, gamma, beta)])]
        if engine == "dynamic"
        else [numpy.asarray(v) for v in kerasish.function(normalize, engine="static")(x, gamma, beta)]
    )
    assert (y.dtype.name, d_x.dtype.name, d_gamma.dtype.name) == (half, half, "float32")
    rounded = x.astype(half).astype("float32")
    mean, variance = rounded.mean(-1, keepdims=True), rounded.var(-1, keepdims=True)
    expected = ((rounded - mean) / numpy.sqrt(variance + 1e-3) * gamma + beta).astype(half)
    # within one rounding to the half precision type; computed in it, the statistics would be far off
    resolution = 2.0 ** -(numpy.finfo(half).nmant)
    numpy.testing.assert_allclose(y.astype("float32"), expected.astype("float32"), rtol=resolution, atol=resolution)


def test_the_primitive_is_registered_with_its_shape_rule():
    primitive = PRIMITIVES["layer_normalization"]
    attrs = dict(axes=(1,), epsilon=1e-3, scaled=True, centered=False)
    assert primitive.infer([(None, 5), (2, None, 1), (5,)], [numpy.dtype("float32")] * 3, **attrs) == (
        (None, 5),
        numpy.dtype("float32"),
    )
    with pytest.raises(ValueError, match=r"layer_normalization.*\(4,\)"):
        primitive.infer([(2, 5), (2, 2, 1), (4,)], [numpy.dtype("float32")] * 3, **attrs)
    with pytest.raises(
        ValueError, match=r"layer_normalization: gamma and beta must broadcast to the shape of x, \(5,\)"
    ):
        primitive.infer([(5,), (2, 1), (3, 5)], [numpy.dtype("float32")] * 3, **attrs)


def test_keras_values():
    keras = pytest.importorskip("keras")
    for shape, axis, parameter_shape in LAYOUTS[:4]:
        x, gamma, beta = _arrays(shape, parameter_shape, "float32")
        expected = numpy.asarray(keras.ops.layer_normalization(x, gamma, beta, axis=axis, epsilon=1e-3))
        got = ops.layer_normalization(Tensor(x), Tensor(gamma), Tensor(beta), axis=axis, epsilon=1e-3).numpy()
        numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("length", [300, 70_000])
def test_statistics_of_long_rows_stay_within_float32_rounding(engine, length):
    x = (randn(3, length) * 3 + 10).astype("float32")
    expected = numpy.stack([x.astype("float64").mean(-1), x.astype("float64").var(-1)])

    def statistics(x):
        return ops.stack(ops.moments(x, axes=[-1]))

    got = _run(engine, lambda x: [statistics(x)], [x])[0]
    numpy.testing.assert_allclose(got, expected, rtol=4e-7)
