"""The autouse fixture of tests/conftest.py: every test starts from the same random state and default
layer names, whichever tests ran before it."""

import random

import numpy
import pytest

import kerasish


def _draws():
    return (
        random.random(),
        numpy.random.random(),
        numpy.asarray(kerasish.random.uniform((3,))).tolist(),
        kerasish.layers.Dense(1).name,
    )


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_from_seed_zero_and_default_names(run):
    at_start = _draws()
    kerasish.utils.set_random_seed(0)
    kerasish.backend.clear_session()
    assert _draws() == at_start
    assert at_start[-1] == "dense"
