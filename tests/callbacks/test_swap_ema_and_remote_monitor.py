"""SwapEMAWeights (with optimizers' `use_ema`) and RemoteMonitor (against a server on 127.0.0.1 only)."""

import json
import urllib.parse

import numpy
import pytest

import kerasish
from kerasish import callbacks
from tests.callbacks.fit_model import regression_data
from tests.datasets.local_server import Endless
from tests.time_limit import returns_within


def ema_model(engine, use_ema=True):
    model = kerasish.Sequential([kerasish.Input((4,)), kerasish.layers.Dense(1)])
    optimizer = kerasish.optimizers.SGD(0.05, use_ema=use_ema, ema_momentum=0.5)
    model.compile(optimizer=optimizer, loss="mse", backend=engine)
    return model


def averages(model):
    return [numpy.array(a.numpy()) for a in model.optimizer._model_variables_moving_average]


def test_evaluate_and_predict_use_the_averages_and_training_keeps_its_weights(engine):
    x, y = regression_data(samples=32)
    model = ema_model(engine)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    trained = [numpy.array(w) for w in model.get_weights()]
    expected = averages(model)
    swap = callbacks.SwapEMAWeights()
    predicted = model.predict(x, verbose=0, callbacks=[swap])
    numpy.testing.assert_allclose(predicted, x @ expected[0] + expected[1], rtol=1e-5, atol=1e-6)
    loss = model.evaluate(x, y, verbose=0, callbacks=[swap])
    numpy.testing.assert_allclose(loss, numpy.mean((x @ expected[0] + expected[1] - y) ** 2), rtol=1e-5)
    for got, want in zip(model.get_weights(), trained):
        numpy.testing.assert_array_equal(got, want)
    for got, want in zip(averages(model), expected):
        numpy.testing.assert_array_equal(got, want)


def test_validation_during_fit_sees_the_averages(engine):
    x, y = regression_data(samples=32)
    seen = []

    class Record(callbacks.Callback):
        def on_test_begin(self, logs=None):
            seen.append(numpy.array(self.model.layers[0].kernel.numpy()))

    model = ema_model(engine)
    # Record runs after SwapEMAWeights, so it sees the weights validation uses
    model.fit(x, y, epochs=1, batch_size=8, validation_data=(x, y), callbacks=[callbacks.SwapEMAWeights(), Record()])
    assert len(seen) == 1
    numpy.testing.assert_allclose(seen[0], averages(model)[0], rtol=1e-6)


def test_swap_on_epoch_ends_with_the_averages_in_the_model(engine):
    x, y = regression_data(samples=32)
    model, reference = ema_model(engine), ema_model(engine)
    reference.set_weights(model.get_weights())
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False, callbacks=[callbacks.SwapEMAWeights(True)])
    reference.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    # the swaps leave training as it was: the same averages, now also in the model
    for got, in_model, want in zip(averages(model), model.get_weights(), averages(reference)):
        numpy.testing.assert_allclose(got, want, rtol=1e-6)
        numpy.testing.assert_allclose(in_model, want, rtol=1e-6)


def test_an_optimizer_without_ema_is_refused(engine):
    x, y = regression_data(samples=8)
    model = ema_model(engine, use_ema=False)
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="SwapEMAWeights must be used when `use_ema=True`.*use_ema=False"):
        model.predict(x, verbose=0, callbacks=[callbacks.SwapEMAWeights()])


def fit_with(monitor, engine="dynamic", epochs=2):
    x, y = regression_data(samples=16)
    model = ema_model(engine, use_ema=False)
    return model.fit(x, y, epochs=epochs, verbose=0, callbacks=[monitor])


def test_remote_monitor_posts_each_epoch_as_a_form_field(server):
    server.serve("publish/epoch/end/", b"")
    history = fit_with(callbacks.RemoteMonitor(root=server.url, headers={"X-Run": "7"}))
    assert len(server.posts) == 2
    path, headers, body = server.posts[1]
    assert path == "/publish/epoch/end/" and headers["X-Run"] == "7"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
    assert sent["epoch"] == 1 and sent["loss"] == pytest.approx(history.history["loss"][1])


def test_remote_monitor_sends_json_to_the_given_path(server):
    server.serve("runs", b"")
    fit_with(callbacks.RemoteMonitor(root=server.url, path="/runs", send_as_json=True), epochs=1)
    ((path, headers, body),) = server.posts
    assert path == "/runs" and headers["Content-Type"] == "application/json"
    assert json.loads(body)["epoch"] == 0


def test_an_unreachable_or_failing_server_warns_and_training_goes_on(server):
    server.serve("publish/epoch/end/", 500)
    with pytest.warns(UserWarning, match=f"Could not reach RemoteMonitor root server at {server.url}"):
        history = fit_with(callbacks.RemoteMonitor(root=server.url))
    assert len(history.history["loss"]) == 2
    closed = server.url  # nothing listens there once the server is closed
    server.close()
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        fit_with(callbacks.RemoteMonitor(root=closed), epochs=1)


def test_a_server_answering_without_end_does_not_hold_training(server):
    server.serve("publish/epoch/end/", Endless())
    outcome = returns_within(lambda: fit_with(callbacks.RemoteMonitor(root=server.url), epochs=1))
    assert len(outcome["value"].history["loss"]) == 1 and len(server.posts) == 1


def test_remote_monitor_refuses_a_root_that_is_not_http():
    with pytest.raises(ValueError, match="Received: root='file:///etc'"):
        callbacks.RemoteMonitor(root="file:///etc")
