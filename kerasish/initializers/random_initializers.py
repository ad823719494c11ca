"""Random initializers (Keras 3 names, defaults and configs), drawn with kerasish.random on the current
device (so the same numbers on numpy and cupy, and on both engines).

As in Keras, an initializer made with `seed=None` picks its seed once, from Python's `random`
(so `kerasish.utils.set_random_seed` makes it repeatable), and an initializer with an int seed
gives the same values on every call.
"""

import math
import random

import numpy

from kerasish import ops
from kerasish import random as draws
from kerasish.initializers.constant_initializers import standard_dtype
from kerasish.initializers.initializer import Initializer


class RandomInitializer(Initializer):
    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, (int, numpy.integer)) or isinstance(seed, bool)):
            raise ValueError(
                f"{type(self).__name__}: argument `seed` must be an integer or None. Received: seed={seed!r}"
            )
        self._init_seed = seed
        self.seed = random.randint(1, int(1e9)) if seed is None else int(seed)

    def get_config(self):
        return {"seed": self._init_seed}


class RandomNormal(RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = mean
        self.stddev = stddev

    def __call__(self, shape, dtype=None):
        return draws.normal(tuple(shape), self.mean, self.stddev, dtype=standard_dtype(dtype), seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomNormal):
    """Normal draws within two standard deviations of the mean."""

    def __call__(self, shape, dtype=None):
        return draws.truncated_normal(tuple(shape), self.mean, self.stddev, dtype=standard_dtype(dtype), seed=self.seed)


class RandomUniform(RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = minval
        self.maxval = maxval

    def __call__(self, shape, dtype=None):
        return draws.uniform(tuple(shape), self.minval, self.maxval, dtype=standard_dtype(dtype), seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight: the sizes of the given axes, else conv kernels (*kernel_size, in, out)
    count their receptive field."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")


class VarianceScaling(RandomInitializer):
    """Draws with variance `scale / n`, n the fan chosen by `mode`."""

    def __init__(
        self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None, output_axes=None
    ):
        if not scale > 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: expected one of {set(_MODES)}. Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: expected one of {set(_DISTRIBUTIONS)}. "
                f"Received: distribution={distribution}"
            )
        super().__init__(seed)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, fan)
        dtype = standard_dtype(dtype)
        if self.distribution == "truncated_normal":
            # 0.8796... is the standard deviation of a standard normal truncated to [-2, 2]
            return draws.truncated_normal(
                shape, 0.0, math.sqrt(variance) / 0.87962566103423978, dtype=dtype, seed=self.seed
            )
        if self.distribution == "untruncated_normal":
            return draws.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return draws.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **super().get_config(),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _variance_scaling_preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(
            self,
            scale=scale,
            mode=mode,
            distribution=distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(
        name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__},
    )


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform", "U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."
)
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal", "Truncated normal, stddev = sqrt(2 / (fan_in + fan_out))."
)
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "U(-limit, limit), limit = sqrt(6 / fan_in)."
)
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal, stddev = sqrt(2 / fan_in)."
)
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "U(-limit, limit), limit = sqrt(3 / fan_in)."
)
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal, stddev = sqrt(1 / fan_in)."
)


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (from the QR decomposition of a normal draw), reshaped, times `gain`."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, columns = math.prod(shape[:-1]), shape[-1]
        size = min(rows, columns)
        q, r = ops.qr(draws.normal((max(rows, columns), size), dtype="float64", seed=self.seed))
        q = q * ops.sign(ops.sum(r * ops.eye(size, dtype="float64"), axis=0))  # the signs of r's diagonal
        if rows < columns:
            q = ops.transpose(q)
        return ops.cast(self.gain * ops.reshape(q, shape), standard_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}
