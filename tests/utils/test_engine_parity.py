import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.models import Sequential
from kerasish.utils.engine_parity import check_engines_agree
from tests.models.toy_layers import Moments, Scale, Total


class DriftsOnTheStaticEngine(layers.Layer):
    """Adds 0.1 only when traced: a deliberate engine disagreement the check must catch."""

    def call(self, inputs):
        return inputs + 0.1 if type(inputs).__name__ == "Symbol" else inputs


def compiled(*extra):
    model = Sequential([kerasish.Input((3,)), Scale(), Moments(), *extra, Total()])
    model.compile(optimizer=kerasish.optimizers.SGD(0.1), loss="mse")
    return model


def batch():
    x = numpy.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    return x, x.sum(-1, keepdims=True)


def test_engines_agree_and_the_model_is_left_unchanged():
    model = compiled()
    before = [v.numpy() for v in model.variables]
    report = check_engines_agree(model, *batch(), steps=3)
    assert report["agree"] and report["forward"] <= 1e-6 and report["weights"] <= 1e-6
    for old, new in zip(before, model.variables):
        numpy.testing.assert_array_equal(old, new.numpy())


def test_a_disagreement_is_reported_and_raised():
    model = compiled(DriftsOnTheStaticEngine())
    report = check_engines_agree(model, *batch(), raise_error=False)
    assert not report["agree"] and report["forward"] == pytest.approx(0.3, rel=1e-4)
    with pytest.raises(AssertionError, match="DISAGREE"):
        check_engines_agree(model, *batch())
