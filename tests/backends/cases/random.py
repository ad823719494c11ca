"""Cases for the random primitives: each draw is compared with numpy's Philox generator keyed by the
same seed state. Draws have no gradient (grad=False); a shuffle is differentiable in its input."""

import numpy

from kerasish.backends.primitives import random as draws

from . import Case, randn

STATE = numpy.array([1234, 7], dtype="uint32")


def philox(state):
    return numpy.random.Generator(numpy.random.Philox(key=state.astype(numpy.uint64)))


def _truncated(state):
    draw = philox(state)
    values = draw.standard_normal(60)
    while (numpy.abs(values) > 2).any():
        outside = numpy.abs(values) > 2
        values[outside] = draw.standard_normal(outside.sum())
    return (values.reshape(3, 20) * 0.5 + 1.0).astype("float32")


def _gumbel_argmax(state, logits):
    noise = philox(state).gumbel(size=(logits.shape[0], 5, logits.shape[1])).astype(logits.dtype)
    return numpy.argmax(logits[:, None, :] + noise, axis=-1).astype("int32")


def _draw(distribution, shape, dtype, *parameters):
    return lambda s: draws.random_draw(s, shape=shape, dtype=dtype, distribution=distribution, parameters=parameters)


CASES = [
    Case(
        "random_draw",
        _draw("normal", (3, 4), "float32", 1.0, 2.0),
        [STATE],
        lambda s: (philox(s).standard_normal((3, 4)) * 2.0 + 1.0).astype("float32"),
        grad=False,
        id="random-normal",
    ),
    Case(
        "random_draw",
        _draw("uniform", (5,), "float32", -1.0, 3.0),
        [STATE],
        lambda s: (philox(s).random(5) * 4.0 - 1.0).astype("float32"),
        grad=False,
        id="random-uniform",
    ),
    Case(
        "random_draw",
        _draw("integers", (2, 6), "int32", -3, 9),
        [STATE],
        lambda s: philox(s).integers(-3, 9, (2, 6), dtype=numpy.int64).astype("int32"),
        grad=False,
        id="random-integers",
    ),
    Case(
        "random_draw",
        _draw("gamma", (7,), "float32", 2.5, 1.0),
        [STATE],
        lambda s: philox(s).standard_gamma(2.5, 7).astype("float32"),
        grad=False,
        id="random-gamma",
    ),
    Case(
        "random_draw",
        _draw("binomial", (7,), "float32", 10, 0.3),
        [STATE],
        lambda s: philox(s).binomial(10, 0.3, 7).astype("float32"),
        grad=False,
        id="random-binomial",
    ),
    Case(
        "random_draw",
        _draw("beta", (7,), "float32", 2.0, 3.0),
        [STATE],
        lambda s: philox(s).beta(2.0, 3.0, 7).astype("float32"),
        grad=False,
        id="random-beta",
    ),
    Case(
        "random_truncated_normal",
        lambda s: draws.random_truncated_normal(s, shape=(3, 20), dtype="float32", mean=1.0, stddev=0.5),
        [STATE],
        _truncated,
        grad=False,
    ),
    Case(
        "dropout_mask",
        lambda s, x: draws.dropout_mask(s, x, rate=0.25, noise_shape=(None, 1)),
        [STATE, randn(4, 3)],
        lambda s, x: ((philox(s).random((4, 1)) < 0.75) / 0.75).astype(x.dtype),
        grad=False,
    ),
    Case(
        "random_shuffle",
        lambda s, x: draws.random_shuffle(s, x, axis=1, inverse=False),
        [STATE, randn(2, 6)],
        lambda s, x: x[:, philox(s).permutation(6)],
    ),
    Case(
        "random_shuffle",
        lambda s, x: draws.random_shuffle(s, x, axis=0, inverse=True),
        [STATE, randn(5, 2)],
        lambda s, x: x[numpy.argsort(philox(s).permutation(5))],
        id="random_shuffle-inverse",
    ),
    Case(
        "random_categorical",
        lambda s, logits: draws.random_categorical(s, logits, num_samples=5, dtype="int32"),
        [STATE, randn(3, 4)],
        _gumbel_argmax,
        grad=False,
    ),
]
