"""PolynomialDecay against Keras 3's formula, with and without cycle; its config round trip."""

import numpy
import pytest

from kerasish import optimizers
from kerasish.optimizers import schedules

STEPS = [0, 1, 5, 10, 15, 40]


def keras_polynomial(step, initial, decay_steps, end, power, cycle):
    if cycle:
        decay_steps = decay_steps * (1 if step == 0 else numpy.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (initial - end) * (1 - step / decay_steps) ** power + end


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_decay_follows_keras_formula(cycle, power):
    schedule = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=power, cycle=cycle)
    got = [float(numpy.asarray(schedule(numpy.int64(step)))) for step in STEPS]
    expected = [keras_polynomial(step, 0.1, 10, 0.01, power, cycle) for step in STEPS]
    numpy.testing.assert_allclose(got, expected, rtol=1e-6)


def test_polynomial_decay_defaults_config_and_deserialize():
    schedule = schedules.PolynomialDecay(0.1, 100)
    assert schedule.get_config() == {
        "initial_learning_rate": 0.1,
        "decay_steps": 100,
        "end_learning_rate": 0.0001,
        "power": 1.0,
        "cycle": False,
        "name": "PolynomialDecay",
    }
    restored = schedules.deserialize(schedules.serialize(schedule))
    assert isinstance(restored, schedules.PolynomialDecay) and restored.get_config() == schedule.get_config()
    optimizer = optimizers.deserialize(optimizers.serialize(optimizers.SGD(learning_rate=schedule)))
    assert optimizers.serialize(optimizer)["config"]["learning_rate"]["class_name"] == "PolynomialDecay"
    with pytest.raises(ValueError, match="decay_steps=0"):
        schedules.PolynomialDecay(0.1, 0)
