import pytest

from kerasish.callbacks import EarlyStopping
from tests.callbacks.fake_model import FakeMetric, FakeModel, losses, run_fit


def test_defaults_match_keras():
    callback = EarlyStopping()
    assert (
        callback.monitor,
        callback.min_delta,
        callback.patience,
        callback.verbose,
        callback.mode,
        callback.baseline,
        callback.restore_best_weights,
        callback.start_from_epoch,
    ) == ("val_loss", 0, 0, 0, "auto", None, False, 0)


def test_stops_after_patience_epochs_without_improvement():
    model = FakeModel()
    callback = EarlyStopping(patience=2)
    ran = run_fit(model, [callback], losses(5, 4, 4.5, 4.2, 3, 2))
    assert ran == [0, 1, 2, 3]
    assert callback.stopped_epoch == 3 and model.stop_training


def test_min_delta_counts_small_gains_as_no_improvement():
    ran = run_fit(FakeModel(), [EarlyStopping(monitor="loss", min_delta=0.5, patience=1)], losses(5, 4.8, 4.7, 1))
    assert ran == [0, 1]


def test_restore_best_weights_puts_back_the_best_epoch():
    model = FakeModel()
    callback = EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    run_fit(model, [callback], losses(5, 1, 3, 4, 0))
    # the weights after epoch e are 1 + 2 + ... + (e + 1); the best epoch is 1
    assert callback.best_epoch == 1
    assert (model.weights[0] == 3).all()


def test_baseline_keeps_counting_patience_while_it_is_not_beaten():
    history = losses(3, 2, 2.5, 1.5, 0.5)
    assert run_fit(FakeModel(), [EarlyStopping(patience=2, baseline=1.0)], history) == [0, 1, 2]
    assert run_fit(FakeModel(), [EarlyStopping(patience=2)], history) == [0, 1, 2, 3, 4]


def test_start_from_epoch_ignores_the_warm_up_epochs():
    ran = run_fit(FakeModel(), [EarlyStopping(patience=0, start_from_epoch=3)], losses(1, 2, 3, 4, 5, 6))
    assert ran == [0, 1, 2, 3, 4]


def test_max_mode_and_auto_mode_from_the_metric_direction():
    logs = [{"val_accuracy": v} for v in (0.5, 0.6, 0.55, 0.7)]
    assert run_fit(FakeModel(), [EarlyStopping(monitor="val_accuracy", mode="max")], logs) == [0, 1, 2]
    model = FakeModel(metrics=[FakeMetric("accuracy", "up")])
    assert run_fit(model, [EarlyStopping(monitor="val_accuracy")], logs) == [0, 1, 2]


def test_auto_mode_without_a_known_direction_is_an_error():
    with pytest.raises(ValueError, match="monitor=val_mystery.*mode='max'"):
        run_fit(FakeModel(), [EarlyStopping(monitor="val_mystery")], [{"val_mystery": 1.0}])


def test_missing_monitor_warns_and_trains_on():
    with pytest.warns(UserWarning, match="`val_loss` which is not available. Available metrics are: loss"):
        ran = run_fit(FakeModel(), [EarlyStopping()], [{"loss": 1.0}, {"loss": 2.0}])
    assert ran == [0, 1]
