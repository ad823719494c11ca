import numpy
import pytest

from kerasish.callbacks import Callback, CallbackList, History, LambdaCallback, ProgbarLogger
from tests.callbacks.fake_model import FakeModel, losses, run_fit


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name.startswith("on_") and callable(attribute):

            def record(*args, **kwargs):
                self.calls.append((name, args[0] if args and not isinstance(args[0], dict) else None))
                return attribute(*args, **kwargs)

            return record
        return attribute


def test_defaults_are_added_once_and_wired_to_the_model():
    model = FakeModel()
    history = History()
    callbacks = CallbackList([history], add_history=True, add_progbar=True, model=model, verbose=0, epochs=3, steps=5)
    assert callbacks.callbacks[0] is history and len(callbacks.callbacks) == 2
    assert isinstance(callbacks.callbacks[1], ProgbarLogger)
    assert model.history is history
    assert all(c.model is model for c in callbacks.callbacks)
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 5}


def test_no_defaults_unless_asked_and_nested_lists_are_flattened():
    first, second = Callback(), Callback()
    callbacks = CallbackList([first, [second]])
    assert callbacks.callbacks == [first, second]
    assert CallbackList().callbacks == []


def test_a_non_callback_is_refused_with_its_type():
    with pytest.raises(TypeError, match="received 'early' of type str"):
        CallbackList(["early"])


def test_hooks_run_in_fit_order_and_train_batch_hooks_reach_the_batch_aliases():
    recorder = Recorder()
    run_fit(FakeModel(), [recorder], losses(1.0, 0.5), steps=1)
    assert recorder.calls == [
        ("on_train_begin", None),
        ("on_epoch_begin", 0),
        ("on_train_batch_begin", 0),
        ("on_batch_begin", 0),
        ("on_train_batch_end", 0),
        ("on_batch_end", 0),
        ("on_epoch_end", 0),
        ("on_epoch_begin", 1),
        ("on_train_batch_begin", 0),
        ("on_batch_begin", 0),
        ("on_train_batch_end", 0),
        ("on_batch_end", 0),
        ("on_epoch_end", 1),
        ("on_train_end", None),
    ]


def test_logs_become_python_floats_and_nested_dicts_are_flattened():
    seen = []
    callbacks = CallbackList([LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))])
    callbacks.on_epoch_end(
        0, {"loss": numpy.float32(0.25), "extra": {"acc": numpy.array(0.5)}, "outputs": numpy.ones(3)}
    )
    logs = seen[0]
    assert type(logs["loss"]) is float and logs["loss"] == 0.25
    assert type(logs["acc"]) is float and logs["acc"] == 0.5
    assert logs["outputs"].shape == (3,)


def test_history_collects_every_epoch_and_is_set_on_the_model():
    model = FakeModel()
    run_fit(model, [], losses(3.0, 2.0, 1.0))
    assert model.history.epoch == [0, 1, 2]
    assert model.history.history == {"loss": [3.0, 2.0, 1.0], "val_loss": [3.0, 2.0, 1.0]}


def test_lambda_callback_sets_named_hooks_and_keyword_hooks():
    events = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, logs["loss"])),
        on_test_end=lambda logs: events.append("test end"),
    )
    run_fit(FakeModel(), [callback], losses(2.0, 1.0))
    callback.on_test_end({})
    assert events == ["begin", ("epoch", 0, 2.0), ("epoch", 1, 1.0), "test end"]


def test_batch_hooks_run_only_where_a_callback_implements_them(monkeypatch):
    from kerasish.callbacks import callback_list

    class LegacyBatchEnd(Callback):
        def __init__(self):
            super().__init__()
            self.batches = []

        def on_batch_end(self, batch, logs=None):  # reached through the default on_train_batch_end
            self.batches.append((batch, logs["loss"]))

    conversions = []
    original = callback_list.pythonify_logs
    monkeypatch.setattr(callback_list, "pythonify_logs", lambda logs: conversions.append(1) or original(logs))
    batch_logs = {"loss": numpy.float32(0.5)}
    quiet = CallbackList([History()])
    quiet.on_train_batch_end(0, batch_logs)
    assert conversions == []
    legacy = LegacyBatchEnd()
    CallbackList([History(), legacy]).on_train_batch_end(3, batch_logs)
    assert legacy.batches == [(3, 0.5)] and len(conversions) == 1
    seen = []
    CallbackList([LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))]).on_train_batch_end(
        7, batch_logs
    )
    assert seen == [7]


def test_implementers_are_looked_up_once_per_hook_and_again_when_the_list_changes(monkeypatch):
    from kerasish.callbacks import callback_list

    lookups = []
    original = callback_list._implements
    monkeypatch.setattr(
        callback_list, "_implements", lambda callback, hook: lookups.append(hook) or original(callback, hook)
    )
    seen = []
    callbacks = CallbackList([History()])
    for batch in range(3):
        callbacks.on_train_batch_end(batch, {"loss": 1.0})
    assert lookups == ["on_train_batch_end"]
    callbacks.callbacks.append(LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch)))
    callbacks.on_train_batch_end(3, {"loss": 1.0})
    callbacks.callbacks[1] = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(-batch))
    callbacks.on_train_batch_end(4, {"loss": 1.0})
    assert seen == [3, -4]


def test_calls_says_whether_a_hook_reaches_a_callback_or_an_overriding_list():
    class LegacyBatchEnd(Callback):
        def on_batch_end(self, batch, logs=None):
            pass

    class CountingList(CallbackList):
        def on_test_batch_end(self, batch, logs=None):
            super().on_test_batch_end(batch, logs)

    quiet = CallbackList([History()])
    assert not quiet.calls("on_train_batch_begin") and not quiet.calls("on_train_batch_end")
    assert quiet.calls("on_epoch_end")  # History records each epoch
    legacy = CallbackList([History(), LegacyBatchEnd()])
    assert legacy.calls("on_train_batch_end") and not legacy.calls("on_train_batch_begin")
    assert not legacy.calls("on_test_batch_end")
    counting = CountingList([History()])
    assert counting.calls("on_test_batch_end") and not counting.calls("on_test_batch_begin")
