"""Random draws as pure functions of a seed state, so the same state gives the same numbers on
numpy and cupy and on both engines (a static graph replays a draw with the state's current value).

Every primitive takes the state, a uint32 array [seed, counter], as its first input. The numbers
are drawn on the host by numpy's counter-based Philox generator keyed with the state, then moved
to the state's device. Draws have no gradient (random_shuffle, a permutation of its input, passes
gradients back through the inverse permutation); kerasish.random advances the state with
Variable.assign, which on the static engine becomes an update of the traced step.
"""

import numpy

from ..device import to_numpy
from .registry import primitive

SEED_DTYPE = "uint32"
TRUNCATION = 2.0  # truncated_normal keeps draws within this many standard deviations, as Keras


def generator(state):
    """numpy's Philox generator keyed by the two words of a seed state."""
    return numpy.random.Generator(numpy.random.Philox(key=to_numpy(state).astype(numpy.uint64)))


def _check_state(name, shape, dtype):
    if tuple(shape) not in ((2,), (None,)) or numpy.dtype(dtype).kind not in "ui":
        raise ValueError(
            f"{name}: the seed state must be an integer array of shape (2,), "
            f"got shape {tuple(shape)} and dtype {numpy.dtype(dtype)}"
        )


# numpy Generator methods a `random_draw` may call, each with its parameters then `size`.
DISTRIBUTIONS = ("normal", "uniform", "integers", "gamma", "binomial", "beta")


def _draw(xp, state, shape, dtype, distribution, parameters):
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}")
    values = getattr(generator(state), distribution)(*parameters, size=shape)
    return xp.asarray(values.astype(dtype))


def _draw_infer(shapes, dtypes, shape, dtype, distribution, parameters):
    _check_state("random_draw", shapes[0], dtypes[0])
    if distribution not in DISTRIBUTIONS:
        raise ValueError(
            f"random_draw: unknown distribution {distribution!r}; valid ones are: {', '.join(DISTRIBUTIONS)}"
        )
    return tuple(shape), numpy.dtype(dtype)


# One primitive for every distribution numpy draws directly: random_draw(state, shape=(2, 3),
# dtype="float32", distribution="normal", parameters=(mean, stddev)).
random_draw = primitive("random_draw", _draw, None, _draw_infer)


def _truncated_normal(xp, state, shape, dtype, mean, stddev):
    """Draw, then redraw only the values beyond the bound until none is left (vectorised)."""
    draw = generator(state)
    values = draw.standard_normal(int(numpy.prod(shape)))
    outside = numpy.flatnonzero(numpy.abs(values) > TRUNCATION)
    while outside.size:
        values[outside] = draw.standard_normal(outside.size)
        outside = outside[numpy.abs(values[outside]) > TRUNCATION]
    return xp.asarray((values.reshape(shape) * stddev + mean).astype(dtype))


def _truncated_normal_infer(shapes, dtypes, shape, dtype, mean, stddev):
    _check_state("random_truncated_normal", shapes[0], dtypes[0])
    return tuple(shape), numpy.dtype(dtype)


random_truncated_normal = primitive("random_truncated_normal", _truncated_normal, None, _truncated_normal_infer)


def resolve_noise_shape(noise_shape, shape):
    """Keras's noise_shape: None means the input's shape, a None entry means that input dim."""
    if noise_shape is None:
        return tuple(shape)
    if len(noise_shape) != len(shape):
        raise ValueError(
            f"dropout: noise_shape {tuple(noise_shape)} must have the rank of the input (input shape {tuple(shape)})"
        )
    return tuple(d if n is None else n for n, d in zip(noise_shape, shape))


def _dropout_mask(xp, state, x, rate, noise_shape):
    keep = 1.0 - rate
    kept = generator(state).random(resolve_noise_shape(noise_shape, x.shape)) < keep
    return xp.asarray((kept / keep).astype(x.dtype))


def _dropout_mask_infer(shapes, dtypes, rate, noise_shape):
    _check_state("dropout_mask", shapes[0], dtypes[0])
    return resolve_noise_shape(noise_shape, shapes[1]), dtypes[1]


# 1/(1 - rate) where an element is kept and 0 where dropped: dropout is inputs * mask, so the
# gradient in the inputs flows through an ordinary multiply.
dropout_mask = primitive("dropout_mask", _dropout_mask, None, _dropout_mask_infer)


def _shuffle(xp, state, x, axis, inverse):
    order = generator(state).permutation(x.shape[axis])
    if inverse:
        order = numpy.argsort(order)
    return xp.take(x, xp.asarray(order), axis=axis)


def _shuffle_vjp(g, inputs, output, needs, axis, inverse):
    """The gradient of a permutation is the inverse permutation of the gradient."""
    return None, random_shuffle(inputs[0], g, axis=axis, inverse=not inverse)


def _shuffle_infer(shapes, dtypes, axis, inverse):
    _check_state("random_shuffle", shapes[0], dtypes[0])
    shape = shapes[1]
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"shuffle: axis {axis} is out of bounds for an input of shape {tuple(shape)}")
    return tuple(shape), dtypes[1]


# Permutes whole slices along `axis` (like jax.random.permutation and tf's shuffle); with
# inverse=True it undoes the permutation drawn from the same state. Differentiable in x.
random_shuffle = primitive("random_shuffle", _shuffle, _shuffle_vjp, _shuffle_infer)


def _categorical(xp, state, logits, num_samples, dtype):
    """The Gumbel-max trick: argmax of logits plus Gumbel noise samples from softmax(logits)."""
    batch, classes = logits.shape
    noise = generator(state).gumbel(size=(batch, num_samples, classes)).astype(logits.dtype)
    return xp.argmax(logits[:, None, :] + xp.asarray(noise), axis=-1).astype(dtype)


def _categorical_infer(shapes, dtypes, num_samples, dtype):
    _check_state("random_categorical", shapes[0], dtypes[0])
    if len(shapes[1]) != 2:
        raise ValueError(f"categorical: logits must have shape (batch_size, num_classes), got {tuple(shapes[1])}")
    return (shapes[1][0], num_samples), numpy.dtype(dtype)


random_categorical = primitive("random_categorical", _categorical, None, _categorical_infer)
