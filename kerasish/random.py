"""kerasish.random: Keras 3's `keras.random` — seeded draws and the SeedGenerator.

`seed` is an int (the same numbers on every call, as in Keras), a SeedGenerator (new numbers on
every call: its state Variable is advanced with `assign`, so a step traced on the static engine
draws new numbers on every replay too) or None (the global SeedGenerator).
"""

import random as python_random

import numpy

from kerasish.backends import config
from kerasish.backends.device import to_device
from kerasish.backends.primitives import random as draws
from kerasish.backends.primitives.registry import ops
from kerasish.backends.variable import Variable

_GLOBAL = {"generator": None}
_INCREMENT = numpy.array([0, 1], dtype=draws.SEED_DTYPE)


class SeedGenerator:
    """`SeedGenerator(seed=None, name=None)`: a seed state [seed, counter] held in a Variable."""

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments: {kwargs}")
        self._initial_seed = seed
        self.name = name or "seed_generator"
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, (int, numpy.integer)) or isinstance(seed, bool):
            raise ValueError(f"SeedGenerator: argument `seed` must be an integer. Received: seed={seed!r}")
        self.state = Variable(
            _seed_state(seed), shape=(2,), dtype=draws.SEED_DTYPE, trainable=False, name="seed_generator_state"
        )

    def next(self):
        """The current state (a copy, read before the update), then advance the counter."""
        current = self.state * 1
        self.state.assign(self.state + _INCREMENT)
        return current

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def make_default_seed():
    return python_random.randint(1, int(1e9))


def global_seed_generator():
    if _GLOBAL["generator"] is None:
        _GLOBAL["generator"] = SeedGenerator()
    return _GLOBAL["generator"]


def reset_global_seed_generator():
    """Forget the global SeedGenerator; the next draw makes one from Python's `random` (set_random_seed)."""
    _GLOBAL["generator"] = None


def _seed_state(seed):
    """[seed, 0] with the seed's low 32 bits, so negative and large seeds are accepted."""
    return numpy.array([int(seed) & 0xFFFFFFFF, 0], dtype=draws.SEED_DTYPE)


def draw_seed(seed):
    """The seed state for one draw: a fixed one for an int, the next one of a SeedGenerator."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return global_seed_generator().next()
    if isinstance(seed, (int, numpy.integer)) and not isinstance(seed, bool):
        return to_device(_seed_state(seed))
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
        f"Received: seed={seed!r} (of type {type(seed).__name__})"
    )


def _shape(name, shape):
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    if any(not isinstance(d, (int, numpy.integer)) or d < 0 for d in shape):
        raise ValueError(f"{name}: shape must be a tuple of non-negative integers, got {shape}")
    return tuple(int(d) for d in shape)


def _float_dtype(name, dtype):
    dtype = numpy.dtype(dtype or config.floatx())
    if dtype.kind != "f":
        raise ValueError(f"{name}: dtype must be a floating point type, got {dtype.name}")
    return dtype.name


def _draw(name, shape, dtype, distribution, *parameters, seed):
    return draws.random_draw(
        draw_seed(seed), shape=_shape(name, shape), dtype=dtype, distribution=distribution, parameters=parameters
    )


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from N(mean, stddev²)."""
    return _draw("normal", shape, _float_dtype("normal", dtype), "normal", float(mean), float(stddev), seed=seed)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws from U[minval, maxval)."""
    return _draw("uniform", shape, _float_dtype("uniform", dtype), "uniform", float(minval), float(maxval), seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from N(mean, stddev²), redrawing values more than two standard deviations from the mean."""
    return draws.random_truncated_normal(
        draw_seed(seed),
        shape=_shape("truncated_normal", shape),
        dtype=_float_dtype("truncated_normal", dtype),
        mean=float(mean),
        stddev=float(stddev),
    )


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval)."""
    if int(maxval) <= int(minval):
        raise ValueError(f"randint: maxval must be greater than minval, got minval={minval}, maxval={maxval}")
    return _draw("randint", shape, numpy.dtype(dtype).name, "integers", int(minval), int(maxval), seed=seed)


def gamma(shape, alpha, dtype=None, seed=None):
    """Draws from the Gamma distribution of shape `alpha` and scale 1."""
    if float(alpha) <= 0:
        raise ValueError(f"gamma: alpha must be positive, got {alpha}")
    return _draw("gamma", shape, _float_dtype("gamma", dtype), "gamma", float(alpha), 1.0, seed=seed)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Successes in `counts` trials of success probability `probabilities`."""
    if not 0.0 <= float(probabilities) <= 1.0 or int(counts) < 0:
        raise ValueError(
            f"binomial: counts must be >= 0 and probabilities in [0, 1], got counts={counts}, "
            f"probabilities={probabilities}"
        )
    return _draw(
        "binomial", shape, _float_dtype("binomial", dtype), "binomial", int(counts), float(probabilities), seed=seed
    )


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draws from the Beta(alpha, beta) distribution."""
    if float(alpha) <= 0 or float(beta) <= 0:
        raise ValueError(f"beta: alpha and beta must be positive, got alpha={alpha}, beta={beta}")
    return _draw("beta", shape, _float_dtype("beta", dtype), "beta", float(alpha), float(beta), seed=seed)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each element with probability `rate` and scale the others by 1 / (1 - rate)."""
    rate = float(rate)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1], got {rate}")
    if rate == 1.0:
        return ops.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    if noise_shape is not None:
        noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
    mask = draws.dropout_mask(draw_seed(seed), inputs, rate=rate, noise_shape=noise_shape)
    return ops.multiply(inputs, mask)


def shuffle(x, axis=0, seed=None):
    """Permute the slices of `x` along `axis`."""
    return draws.random_shuffle(draw_seed(seed), x, axis=int(axis), inverse=False)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class indices per row, drawn from softmax(logits) (logits: (batch, classes))."""
    return draws.random_categorical(
        draw_seed(seed), logits, num_samples=int(num_samples), dtype=numpy.dtype(dtype).name
    )


__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]
