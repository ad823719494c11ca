"""Checks every layer test runs: output shape, compute_output_shape, config round trip, and gradients on
both engines (a directional finite-difference check in float64)."""

import numpy

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer


def random_inputs(shape, seed=0, dtype="float64"):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(dtype)


def as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def shapes_of(outputs):
    return [tuple(y.shape) for y in as_list(outputs)]


def check_shapes(layer, inputs, expected_shape):
    """The output shape is `expected_shape` and compute_output_shape agrees (with and without the batch size)."""
    outputs = layer(inputs)
    got = shapes_of(outputs)
    assert got == [tuple(s) for s in (expected_shape if isinstance(expected_shape, list) else [expected_shape])]
    input_shapes = [tuple(x.shape) for x in inputs] if isinstance(inputs, list) else tuple(inputs.shape)
    computed = layer.compute_output_shape(input_shapes)
    computed = computed if isinstance(computed, list) else [computed]
    assert [tuple(s) for s in computed] == got
    return outputs


def check_config_round_trip(layer, inputs=None):
    """from_config(get_config()) gives the same config and, with the same weights, the same outputs."""
    clone = deserialize_layer(serialize_layer(layer))
    assert clone.get_config() == layer.get_config()
    assert type(clone) is type(layer)
    if inputs is not None:
        clone(inputs)
        clone.set_weights(layer.get_weights())
        for a, b in zip(as_list(layer(inputs)), as_list(clone(inputs))):
            numpy.testing.assert_allclose(numpy.asarray(a), numpy.asarray(b), rtol=1e-6, atol=1e-6)
    return clone


def _projection(outputs, directions):
    return sum(ops.sum(ops.multiply(y, d)) for y, d in zip(as_list(outputs), directions))


def _gradients(layer, arrays, directions, engine, training):
    variables = layer.trainable_weights

    def loss_and_gradients(*xs):
        with kerasish.GradientTape() as tape:
            tape.watch(list(xs))
            loss = _projection(layer(list(xs) if len(xs) > 1 else xs[0], training=training), directions)
        return loss, tape.gradient(loss, list(xs) + variables)

    if engine == "static":
        loss, grads = kerasish.function(loss_and_gradients, engine="static")(*arrays)
    else:
        loss, grads = loss_and_gradients(*[Tensor(a) for a in arrays])
    return float(numpy.asarray(loss)), [None if g is None else numpy.asarray(g) for g in grads]


def check_gradients(layer, inputs, engine, training=False, eps=1e-6, rtol=1e-5, differentiable_inputs=True):
    """Gradients of a random projection of the outputs (inputs and trainable weights, float64 layer) match a
    central difference along a random direction, on the given engine."""
    arrays = as_list(inputs)
    outputs = layer(inputs, training=training)
    rng = numpy.random.default_rng(1)
    directions = [rng.standard_normal(tuple(y.shape)) for y in as_list(outputs)]
    loss, grads = _gradients(layer, arrays, directions, engine, training)
    variables = layer.trainable_weights
    assert len(grads) == len(arrays) + len(variables)
    steps = [
        rng.standard_normal(numpy.shape(a)) if differentiable_inputs else numpy.zeros(numpy.shape(a)) for a in arrays
    ] + [rng.standard_normal(v.shape) for v in variables]
    analytic = sum(float(numpy.sum(g * s)) for g, s in zip(grads, steps) if g is not None)
    assert all(g is not None for g in grads[len(arrays) :]), "a trainable weight got no gradient"
    originals = [v.numpy() for v in variables]

    def shifted(sign):
        for v, value, s in zip(variables, originals, steps[len(arrays) :]):
            v.assign(value + sign * eps * s)
        moved = [a + sign * eps * s for a, s in zip(arrays, steps)]
        result = _projection(layer(moved if len(moved) > 1 else moved[0], training=training), directions)
        return float(numpy.asarray(result))

    try:
        numeric = (shifted(1) - shifted(-1)) / (2 * eps)
    finally:
        for v, value in zip(variables, originals):
            v.assign(value)
    assert abs(analytic - numeric) <= rtol * max(1.0, abs(numeric)), (analytic, numeric)
    return loss
