"""Small models (made of tests/models/toy_layers, so they need no real layers) and their data."""

import numpy

from kerasish import layers, models, optimizers
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Moments, Scale, Total

CUSTOM_OBJECTS = {"Scale": Scale, "Moments": Moments, "Total": Total}


def data(samples=20):
    rng = numpy.random.default_rng(0)
    return (rng.standard_normal((samples, 4)).astype("float32"), rng.standard_normal((samples, 1)).astype("float32"))


def toy_model(compiled=True, backend=None):
    reset_names()
    model = models.Sequential([layers.Input((4,)), Scale(), Moments(), Total()])
    if compiled:
        model.compile(optimizer=optimizers.Adam(0.01), loss="mse", metrics=["mae"], backend=backend)
    return model


def trained_model(backend=None, epochs=1):
    model = toy_model(backend=backend)
    x, y = data()
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model


def perturb(model, seed=1):
    """Give every weight new values, so a load that assigns nothing shows."""
    rng = numpy.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(rng.standard_normal(variable.shape).astype(variable.dtype))


def values(variables):
    return [v.numpy().copy() for v in variables]


def assert_same(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        numpy.testing.assert_array_equal(a, b)
