"""Cases for the random primitives: each draw is compared with numpy's Philox generator keyed by the
same seed state. Draws have no gradient (grad=False)."""
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


CASES = [
    Case("random_normal", lambda s: draws.random_normal(s, shape=(3, 4), dtype="float32", mean=1.0, stddev=2.0),
         [STATE], lambda s: (philox(s).standard_normal((3, 4)) * 2.0 + 1.0).astype("float32"), grad=False),
    Case("random_uniform", lambda s: draws.random_uniform(s, shape=(5,), dtype="float32", minval=-1.0, maxval=3.0),
         [STATE], lambda s: philox(s).uniform(-1.0, 3.0, (5,)).astype("float32"), grad=False),
    Case("random_truncated_normal",
         lambda s: draws.random_truncated_normal(s, shape=(3, 20), dtype="float32", mean=1.0, stddev=0.5),
         [STATE], _truncated, grad=False),
    Case("random_integers", lambda s: draws.random_integers(s, shape=(2, 6), dtype="int32", minval=-3, maxval=9),
         [STATE], lambda s: philox(s).integers(-3, 9, (2, 6), dtype=numpy.int64).astype("int32"), grad=False),
    Case("dropout_mask", lambda s, x: draws.dropout_mask(s, x, rate=0.25, noise_shape=(None, 1)),
         [STATE, randn(4, 3)], lambda s, x: ((philox(s).random((4, 1)) < 0.75) / 0.75).astype(x.dtype), grad=False),
    Case("random_shuffle", lambda s, x: draws.random_shuffle(s, x, axis=1), [STATE, randn(2, 6)],
         lambda s, x: x[:, philox(s).permutation(6)], grad=False),
    Case("random_categorical", lambda s, logits: draws.random_categorical(s, logits, num_samples=5, dtype="int32"),
         [STATE, randn(3, 4)], _gumbel_argmax, grad=False),
]
