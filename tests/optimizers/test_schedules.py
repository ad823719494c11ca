"""Learning-rate schedules against their closed forms, and driving an optimizer in a traced step."""

import math

import numpy
import pytest

import kerasish
from kerasish import optimizers
from kerasish.optimizers import schedules

STEPS = [0, 1, 5, 10, 15, 40]


def values(schedule):
    return [float(numpy.asarray(schedule(numpy.int64(step)))) for step in STEPS]


def test_exponential_decay():
    smooth = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    stairs = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    numpy.testing.assert_allclose(values(smooth), [0.1 * 0.5 ** (s / 10) for s in STEPS], rtol=1e-6)
    numpy.testing.assert_allclose(values(stairs), [0.1 * 0.5 ** (s // 10) for s in STEPS], rtol=1e-6)


def test_inverse_time_decay():
    smooth = schedules.InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5)
    stairs = schedules.InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5, staircase=True)
    numpy.testing.assert_allclose(values(smooth), [0.1 / (1 + 0.5 * s / 5) for s in STEPS], rtol=1e-6)
    numpy.testing.assert_allclose(values(stairs), [0.1 / (1 + 0.5 * (s // 5)) for s in STEPS], rtol=1e-6)


def test_piecewise_constant_decay():
    schedule = schedules.PiecewiseConstantDecay([5, 15], [1.0, 0.5, 0.1])
    numpy.testing.assert_allclose(values(schedule), [1.0, 1.0, 1.0, 0.5, 0.5, 0.1])
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less than the length of values"):
        schedules.PiecewiseConstantDecay([5], [1.0])


def _cosine(step, start, decay_steps, alpha):
    step = min(step, decay_steps)
    return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)


def test_cosine_decay_with_and_without_warmup():
    plain = schedules.CosineDecay(0.1, decay_steps=20, alpha=0.1)
    numpy.testing.assert_allclose(values(plain), [_cosine(s, 0.1, 20, 0.1) for s in STEPS], rtol=1e-5)
    warm = schedules.CosineDecay(0.0, decay_steps=20, warmup_target=0.2, warmup_steps=10)
    expected = [0.2 * s / 10 if s < 10 else _cosine(s - 10, 0.2, 20, 0.0) for s in STEPS]
    numpy.testing.assert_allclose(values(warm), expected, rtol=1e-5, atol=1e-8)
    with pytest.raises(ValueError, match="Argument `decay_steps` must be > 0. Received: decay_steps=0"):
        schedules.CosineDecay(0.1, decay_steps=0)


@pytest.mark.parametrize(
    "schedule",
    [
        schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True, name="exp"),
        schedules.PiecewiseConstantDecay([2], [0.1, 0.01]),
        schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=2),
        schedules.InverseTimeDecay(0.1, 2, 1.0),
    ],
    ids=lambda s: type(s).__name__,
)
def test_schedules_serialize(schedule):
    config = schedules.serialize(schedule)
    assert config["module"] == "keras.optimizers.schedules" and config["class_name"] == type(schedule).__name__
    restored = schedules.deserialize(config)
    assert type(restored) is type(schedule) and restored.get_config() == schedule.get_config()


def test_a_schedule_drives_sgd_from_the_iterations_variable(engine):
    schedule = schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.25])
    optimizer = optimizers.SGD(learning_rate=schedule)
    variable = kerasish.Variable(numpy.zeros(1, numpy.float32))

    @kerasish.function(engine=engine)
    def step(grad):
        optimizer.apply([grad], [variable])

    for _ in range(4):
        step(numpy.ones(1, numpy.float32))
    # iterations 0, 1, 2, 3 give rates 1, 1, 0.5, 0.25
    numpy.testing.assert_allclose(variable.numpy(), [-2.75])
    config = optimizer.get_config()
    assert config["learning_rate"]["class_name"] == "PiecewiseConstantDecay"
    restored = optimizers.SGD.from_config(config)
    assert isinstance(restored._learning_rate, schedules.PiecewiseConstantDecay)
    with pytest.raises(TypeError, match="learning rate is not settable"):
        optimizer.learning_rate = 0.1


@pytest.mark.slow  # the tests above check each schedule against its formula
def test_matches_keras_when_installed():
    keras = pytest.importorskip("keras")
    for ours, theirs in (
        (
            schedules.CosineDecay(0.0, 20, warmup_target=0.2, warmup_steps=10),
            keras.optimizers.schedules.CosineDecay(0.0, 20, warmup_target=0.2, warmup_steps=10),
        ),
        (schedules.ExponentialDecay(0.1, 7, 0.3), keras.optimizers.schedules.ExponentialDecay(0.1, 7, 0.3)),
    ):
        for step in STEPS:
            numpy.testing.assert_allclose(
                float(numpy.asarray(ours(step))), float(numpy.asarray(theirs(step))), rtol=1e-5
            )
