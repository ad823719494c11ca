"""BatchNormalization in training mode against Keras 3: the outputs and the moving statistics one call leaves."""

import os

import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import random_inputs

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")


@pytest.mark.slow
@pytest.mark.parametrize("axis, shape", [(-1, (4, 3, 3, 5)), (1, (4, 5, 3, 3)), (-1, (6, 4))])
def test_training_step_matches_keras(axis, shape):
    x = random_inputs(shape, dtype="float32") * 2 + 1
    kwargs = dict(axis=axis, momentum=0.9, epsilon=1e-3)
    theirs, ours = keras.layers.BatchNormalization(**kwargs), layers.BatchNormalization(**kwargs)
    theirs.build(shape)
    ours.build(shape)
    rng = numpy.random.default_rng(1)
    weights = [rng.standard_normal(shape[axis]).astype("float32") for _ in range(2)]
    weights += [rng.standard_normal(shape[axis]).astype("float32"), rng.uniform(0.5, 2, shape[axis]).astype("float32")]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected = numpy.asarray(theirs(x, training=True))
    numpy.testing.assert_allclose(ours(x, training=True).numpy(), expected, rtol=1e-5, atol=1e-5)
    for got, want in zip(ours.get_weights(), theirs.get_weights()):
        numpy.testing.assert_allclose(got, numpy.asarray(want), rtol=1e-5, atol=1e-6)
