import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends import config
from kerasish.models import Model, Sequential
from kerasish.trainers.trainer import resolve_verbose
from kerasish.utils.naming import reset_names
from tests.models.toy_layers import Moments, Scale, Total

WEIGHTS = numpy.array([1.0, -2.0, 3.0], "float32")


@pytest.fixture(autouse=True)
def fresh_names():
    reset_names()


def regression(rows=100, seed=0):
    x = numpy.random.default_rng(seed).normal(size=(rows, 3)).astype("float32")
    return x, (x @ WEIGHTS)[:, None]


def model(engine, **compile_arguments):
    """Scale -> Moments (counts training steps) -> Total, compiled for the given engine."""
    net = Sequential([kerasish.Input((3,)), Scale(), Moments(), Total()])
    net.compile(**{"optimizer": kerasish.optimizers.SGD(0.05), "loss": "mse", "backend": engine, **compile_arguments})
    return net


def steps_taken(net):
    return int(net.layers[1].count.numpy())


def test_fit_reduces_the_loss_and_returns_history(engine):
    x, y = regression()
    net = model(engine, metrics=["mae"])
    history = net.fit(x, y, epochs=4, verbose=0)
    assert history is net.history and history.epoch == [0, 1, 2, 3]
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert steps_taken(net) == 4 * 4  # 100 samples, batch_size 32 by default: 4 steps per epoch


def test_epochs_is_the_final_epoch_index(engine):
    x, y = regression()
    history = model(engine).fit(x, y, batch_size=50, epochs=3, initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2]


def test_steps_per_epoch_and_validation_freq(engine):
    x, y = regression()
    net = model(engine)
    history = net.fit(
        x, y, batch_size=10, epochs=4, steps_per_epoch=3, validation_data=(x[:20], y[:20]), validation_freq=2, verbose=0
    )
    assert steps_taken(net) == 12
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2


def test_validation_split_takes_the_tail_before_shuffling(engine):
    x, y = regression()
    net = model(engine, optimizer=kerasish.optimizers.SGD(0.0))
    history = net.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    assert steps_taken(net) == 3  # 80 training samples
    tail = net.evaluate(x[80:], y[80:], verbose=0)
    numpy.testing.assert_allclose(history.history["val_loss"][0], tail, rtol=1e-5)


def test_evaluate_and_predict(engine):
    x, y = regression(rows=37)
    net = model(engine, metrics=["mse"])
    loss, mse = net.evaluate(x, y, batch_size=8, verbose=0)
    numpy.testing.assert_allclose(loss, mse, rtol=1e-5)
    assert net.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "mse"}
    prediction = net.predict(x, batch_size=8, verbose=0)
    assert prediction.shape == (37, 1) and prediction.dtype == numpy.float32
    expected = (x * numpy.linspace(0.5, 1.5, 3)).sum(-1, keepdims=True)
    numpy.testing.assert_allclose(prediction, expected, rtol=1e-5)
    numpy.testing.assert_allclose(loss, numpy.mean((expected - y) ** 2), rtol=1e-4)


def test_on_batch_methods(engine):
    x, y = regression(rows=8)
    net = model(engine)
    before = net.test_on_batch(x, y)
    net.train_on_batch(x, y)
    assert net.test_on_batch(x, y) < before
    assert net.predict_on_batch(x).shape == (8, 1)
    assert set(net.train_on_batch(x, y, return_dict=True)) == {"loss"}


def test_engines_take_the_same_steps_without_shuffling():
    x, y = regression()
    results = []
    for engine in ("dynamic", "static"):
        reset_names()
        net = model(engine)
        net.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        results.append(net.get_weights())
    for dynamic, static in zip(*results):
        numpy.testing.assert_allclose(dynamic, static, rtol=1e-5, atol=1e-6)


def test_sample_weight_and_class_weight(engine):
    x, y = regression(rows=40)
    net = model(engine)
    weights = numpy.r_[numpy.ones(20), numpy.zeros(20)].astype("float32")
    weighted = net.evaluate(x, y, sample_weight=weights, batch_size=40, verbose=0)
    plain_half = net.evaluate(x[:20], y[:20], batch_size=20, verbose=0)
    numpy.testing.assert_allclose(weighted, plain_half / 2, rtol=1e-5)
    with pytest.raises(ValueError, match="class_weight` and `sample_weight"):
        net.fit(x, y, class_weight={0: 1.0}, sample_weight=weights, verbose=0)


def test_generator_and_py_dataset_inputs(engine):
    x, y = regression(rows=40)

    class Batches:
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return x[index * 10 : (index + 1) * 10], y[index * 10 : (index + 1) * 10]

    net = model(engine)
    net.fit(Batches(), epochs=2, verbose=0)
    assert steps_taken(net) == 8
    generator = ((x[i : i + 10], y[i : i + 10]) for i in range(0, 40, 10))
    net.fit(generator, epochs=1, verbose=0)
    assert steps_taken(net) == 12
    assert net.predict(Batches(), verbose=0).shape == (40, 1)


def test_multi_output_losses_are_weighted_and_named(engine):
    inputs = kerasish.Input((3,))
    scaled = Scale(name="scaled")(inputs)
    net = Model(inputs, [Total(name="total")(scaled), scaled])
    net.compile(optimizer=kerasish.optimizers.SGD(0.0), loss=["mse", "mse"], loss_weights=[1.0, 0.5], backend=engine)
    x, y = regression(rows=16)
    logs = net.evaluate(x, [y, x], batch_size=16, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "total_loss", "scaled_loss"}
    numpy.testing.assert_allclose(logs["loss"], logs["total_loss"] + 0.5 * logs["scaled_loss"], rtol=1e-5)


def test_fit_before_compile_is_an_error():
    net = Sequential([kerasish.Input((3,)), Scale()])
    with pytest.raises(ValueError, match="must call `compile\\(\\)`"):
        net.fit(*regression())


def test_length_mismatch_names_both_lengths():
    x, y = regression()
    with pytest.raises(ValueError, match="'x' sizes: 100; 'y' sizes: 99"):
        model("dynamic").fit(x, y[:99], verbose=0)


def test_unknown_strings_are_rejected():
    net = Sequential([kerasish.Input((3,)), Scale()])
    with pytest.raises(ValueError, match="nope"):
        net.compile(optimizer="nope", loss="mse")
    x, y = regression()
    net.compile(optimizer="sgd", loss="no_such_loss")
    with pytest.raises(ValueError, match="no_such_loss"):
        net.fit(x, x, verbose=0)


def test_wrong_input_shape_names_the_layer_during_fit(engine):
    x, y = regression()
    with pytest.raises(ValueError, match=r"^Input 0 of layer Scale 'scale'.*value 3.*\(None, 5\)"):
        model(engine).fit(numpy.ones((100, 5), "float32"), y, verbose=0)


def test_run_eagerly_means_the_dynamic_engine():
    net = model(None, run_eagerly=True)
    assert net.compile_engine.name == "dynamic"
    assert model("static").compile_engine.name == "static"


def test_verbose_auto_is_two_when_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert resolve_verbose("auto") == 2
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert resolve_verbose("auto") == 1


def test_steps_per_execution_calls_batch_callbacks_once_per_execution(engine):
    ends = []

    class Count(kerasish.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            ends.append((batch, sorted(logs)))

    x, y = regression(rows=50)
    net = model(engine, steps_per_execution=2)
    net.fit(x, y, batch_size=10, epochs=1, verbose=0, callbacks=[Count()])
    assert [batch for batch, _ in ends] == [1, 3, 4]
    assert ends[0][1] == ["loss"] and steps_taken(net) == 5


def test_unknown_engine_is_an_error():
    with pytest.raises(ValueError, match="Unknown engine 'fast'; valid values are: dynamic, static"):
        model("fast")


def test_subclassed_model_trains_on_both_engines(engine):
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.scale = Scale()
            self.moments = Moments()

        def call(self, inputs, training=None):
            return ops.sum(self.moments(self.scale(inputs)), axis=-1, keepdims=True)

    net = Net()
    net.compile(optimizer=kerasish.optimizers.SGD(0.05), loss="mse", backend=engine)
    x, y = regression(rows=64)
    history = net.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(net.moments.count.numpy()) == 12 and net.weights[0].path == "net/scale/kernel"


def test_process_wide_limits_on_epochs_and_steps(monkeypatch, engine):
    monkeypatch.setitem(config.SWITCHES, "max_epochs", None)
    monkeypatch.setitem(config.SWITCHES, "max_steps_per_epoch", None)
    kerasish.config.set_max_epochs(2)
    kerasish.config.set_max_steps_per_epoch(1)
    assert kerasish.config.max_epochs() == 2 and kerasish.config.max_steps_per_epoch() == 1
    net = model(engine)
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = net.fit(*regression(), epochs=5, verbose=0)
    assert history.epoch == [0, 1] and steps_taken(net) == 2
    with pytest.warns(UserWarning, match="Limiting steps to 1"):
        assert net.predict(regression()[0], batch_size=4, verbose=0).shape[0] == 4
    with pytest.raises(ValueError, match="`max_epochs` must be a positive integer or None, got 0"):
        kerasish.config.set_max_epochs(0)


def test_limits_come_from_keras_environment_variables(monkeypatch):
    from kerasish.backends.config import _limit_from_environment

    monkeypatch.setenv("KERAS_MAX_EPOCHS", "3")
    assert _limit_from_environment("KERAS_MAX_EPOCHS") == 3
    monkeypatch.setenv("KERAS_MAX_EPOCHS", "three")
    with pytest.raises(ValueError, match="KERAS_MAX_EPOCHS must be a positive integer, got 'three'"):
        _limit_from_environment("KERAS_MAX_EPOCHS")


def test_weight_regularization_is_part_of_the_loss(engine):
    def squares(weight):
        return ops.sum(weight * weight)

    net = Sequential([kerasish.Input((3,)), Scale(regularizer=squares), Total()])
    net.compile(optimizer=kerasish.optimizers.SGD(0.0), loss="mse", backend=engine)
    x, y = regression(rows=16)
    prediction = (x * numpy.linspace(0.5, 1.5, 3)).sum(-1, keepdims=True)
    penalty = numpy.sum(numpy.linspace(0.5, 1.5, 3) ** 2)
    numpy.testing.assert_allclose(
        net.evaluate(x, y, batch_size=16, verbose=0), numpy.mean((prediction - y) ** 2) + penalty, rtol=1e-5
    )


def test_fit_ends_with_the_moving_averages_when_the_optimizer_keeps_them(engine):
    net = model(engine, optimizer=kerasish.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.5))
    net.fit(*regression(), epochs=2, verbose=0)
    averages = [average.numpy() for average in net.optimizer._model_variables_moving_average]
    for weight, average in zip(net.trainable_variables, averages):
        numpy.testing.assert_array_equal(weight.numpy(), average)
