"""kerasish.initializers: Keras 3's weight initializers, by class, by name ("glorot_uniform") or config."""

import re

import numpy

from kerasish.initializers.constant_initializers import STFT, Constant, Identity, Ones, Zeros
from kerasish.initializers.initializer import Initializer
from kerasish.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)
from kerasish.utils import object_serialization as registry

ALL_OBJECTS = (
    Constant,
    Identity,
    Ones,
    Zeros,
    STFT,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)


# Keras's other names for the same classes
IdentityInitializer, OrthogonalInitializer, STFTInitializer, stft = Identity, Orthogonal, STFT, STFT
constant, identity, ones, zeros, orthogonal = Constant, Identity, Ones, Zeros, Orthogonal
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, HeUniform
lecun_normal, lecun_uniform, variance_scaling = LecunNormal, LecunUniform, VarianceScaling
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal


def _snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        "stft": STFT,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)


def serialize(initializer):
    return None if initializer is None else registry.serialize(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    return registry.deserialize_configurable("initializer", config, ALL_OBJECTS_DICT, custom_objects)


def _from_value(value):
    value = numpy.asarray(value)

    def initialize(shape, dtype=None):
        if tuple(shape) != value.shape:
            raise ValueError(
                f"Expected `shape` to be {value.shape} for direct tensor as initializer. Received shape={tuple(shape)}"
            )
        return value.astype(dtype or value.dtype)

    return initialize


def get(identifier):
    """An initializer from a name, a config dict, a class, a callable or an array of initial values."""
    if not isinstance(identifier, type) and (
        isinstance(identifier, (numpy.ndarray, numpy.generic)) or hasattr(identifier, "__array__")
    ):
        return _from_value(identifier)
    return registry.get("initializer", identifier, deserialize)


__all__ = [cls.__name__ for cls in ALL_OBJECTS] + ["Initializer", "compute_fans", "deserialize", "get", "serialize"]
