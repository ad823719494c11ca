import numpy
import pytest

from kerasish.callbacks import LearningRateScheduler, ReduceLROnPlateau
from tests.callbacks.fake_model import FakeModel, losses, run_fit


def learning_rate(model):
    return float(model.optimizer.learning_rate.numpy())


def test_reduce_on_plateau_assigns_the_learning_rate_variable():
    model = FakeModel()
    variable = model.optimizer.learning_rate
    history = [{"val_loss": v} for v in (1.0, 1.0, 1.0, 0.5, 0.5, 0.5)]
    run_fit(model, [ReduceLROnPlateau(factor=0.5, patience=2)], history)
    assert model.optimizer.learning_rate is variable
    assert variable.dtype == numpy.float32
    numpy.testing.assert_allclose(learning_rate(model), 0.01 * 0.25, rtol=1e-6)
    assert model.history.history["learning_rate"][:3] == pytest.approx([0.01, 0.01, 0.01])


def test_reduce_on_plateau_cooldown_and_min_lr():
    model = FakeModel()
    run_fit(
        model,
        [ReduceLROnPlateau(factor=0.1, patience=1, cooldown=2, min_lr=0.0005, verbose=1)],
        [{"val_loss": 1.0}] * 8,
    )
    # reductions at epochs 1 and 3 (the cooldown runs out during epoch 3), then min_lr stops them;
    # each epoch logs the rate it trained with
    numpy.testing.assert_allclose(learning_rate(model), 0.0005, rtol=1e-6)
    assert model.history.history["learning_rate"][:6] == pytest.approx([0.01, 0.01, 0.001, 0.001, 0.0005, 0.0005])


def test_reduce_on_plateau_refuses_a_factor_of_one_or_more():
    with pytest.raises(ValueError, match="factor >= 1.0. Received factor=1.5"):
        ReduceLROnPlateau(factor=1.5)


def test_scheduler_with_epoch_and_learning_rate():
    model = FakeModel()
    run_fit(model, [LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr, verbose=1)], losses(1, 1, 1))
    numpy.testing.assert_allclose(learning_rate(model), 0.0025, rtol=1e-6)
    assert model.history.history["learning_rate"] == pytest.approx([0.01, 0.005, 0.0025])


def test_scheduler_with_the_old_one_argument_form():
    model = FakeModel()
    run_fit(model, [LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))], losses(1, 1))
    numpy.testing.assert_allclose(learning_rate(model), 0.05, rtol=1e-6)


def test_scheduler_must_return_a_float():
    with pytest.raises(ValueError, match="should be a float. Got: '0.1'"):
        run_fit(FakeModel(), [LearningRateScheduler(lambda epoch, lr: "0.1")], losses(1))


def test_scheduler_needs_an_optimizer_with_a_learning_rate():
    model = FakeModel()
    model.optimizer = object()
    with pytest.raises(ValueError, match='must have a "learning_rate" attribute; object has none'):
        run_fit(model, [LearningRateScheduler(lambda epoch: 0.1)], losses(1))
