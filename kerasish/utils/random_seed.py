"""`set_random_seed`: make Python's, numpy's and kerasish's global random draws repeatable."""

import random

import numpy

from kerasish import random as kerasish_random


def set_random_seed(seed):
    """Seed Python's `random` and `numpy.random`, and restart the global SeedGenerator from them (as Keras)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r} (of type {type(seed)})")
    random.seed(seed)
    numpy.random.seed(seed)
    kerasish_random.reset_global_seed_generator()
