"""MultiOptimizer and OptimizerMap: the optimizer chosen per variable (exact key, regex, default), steps
against real Keras on both engines, Keras's variable names and configs, errors, `fit` and `.keras` files."""

import numpy
import pytest

import kerasish
from kerasish import optimizers

RNG = numpy.random.default_rng(5)
STARTS = {
    "encoder_kernel": RNG.normal(size=(3, 2)).astype("float32"),
    "encoder_bias": RNG.normal(size=(2,)).astype("float32"),
    "head": RNG.normal(size=(2,)).astype("float32"),
}
GRADIENTS = [[RNG.normal(size=s.shape).astype("float32") for s in STARTS.values()] for _ in range(4)]


def make(module):
    mapping = module.optimizers.OptimizerMap(
        module.optimizers.SGD(learning_rate=0.1, momentum=0.9, name="sgd"),
        {"encoder_.*": module.optimizers.Adam(learning_rate=0.01, name="adam")},
    )
    return module.optimizers.MultiOptimizer(mapping, name="multi")


def test_optimizer_map_lookup_as_in_keras():
    adam, sgd, rmsprop = optimizers.Adam(), optimizers.SGD(), optimizers.RMSprop()
    mapping = optimizers.OptimizerMap(default_optimizer=rmsprop)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    mapping["decoder"] = adam
    assert mapping["decoder"] is adam
    assert mapping["encoder/layer_0/dense"] is adam  # the exact key wins over the pattern
    assert mapping["encoder/layer_0/attention/query"] is sgd
    assert mapping["decoder/layer_0/dense"] is rmsprop
    assert len(mapping) == 3 and list(mapping) == ["encoder/layer_0/dense", "encoder/.*", "decoder"]
    mapping["enc.*"] = adam
    with pytest.raises(ValueError, match="Multiple optimizers assigned to variable encoder/x"):
        mapping["encoder/x"]
    del mapping["enc.*"]
    with pytest.raises(ValueError, match="already exists"):
        mapping["decoder"] = sgd
    with pytest.raises(ValueError, match="cannot be LossScaleOptimizer"):
        mapping["x"] = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(TypeError, match="default_optimizer must be a Keras Optimizer"):
        optimizers.OptimizerMap("sgd")


def run(engine):
    variables = [kerasish.Variable(start.copy(), name=name) for name, start in STARTS.items()]
    optimizer = make(kerasish)
    optimizer.build(variables)

    @kerasish.function(engine=engine)
    def step(gradients):
        optimizer.apply(gradients, variables)

    history = []
    for gradients in GRADIENTS:
        step(gradients)
        history.append([v.numpy().copy() for v in variables])
    return optimizer, history


@pytest.mark.slow
def test_steps_names_and_config_match_real_keras(engine):
    keras = pytest.importorskip("keras")
    theirs = [keras.Variable(start.copy(), name=name) for name, start in STARTS.items()]
    reference = make(keras)
    reference.build(theirs)
    ours, history = run(engine)
    for step, gradients in enumerate(GRADIENTS):
        reference.apply(gradients, theirs)
        for mine, their in zip(history[step], theirs):
            numpy.testing.assert_allclose(mine, numpy.asarray(their), rtol=2e-5, atol=1e-6, err_msg=f"step {step}")
    assert [v.path for v in ours.variables] == [v.path for v in reference.variables]
    assert int(ours.iterations.numpy()) == int(reference.iterations.numpy()) == len(GRADIENTS)
    assert [o.name for o in ours.optimizers] == [o.name for o in reference.optimizers]
    assert ours.get_config() == reference.get_config()
    loaded = optimizers.deserialize(keras.optimizers.serialize(reference))
    assert type(loaded) is optimizers.MultiOptimizer and loaded.get_config() == reference.get_config()


def test_config_round_trip_and_learning_rate_refused():
    optimizer = make(kerasish)
    clone = optimizers.deserialize(optimizers.serialize(optimizer))
    assert clone.get_config() == optimizer.get_config()
    assert [type(o) for o in clone.optimizers] == [optimizers.Adam, optimizers.SGD]
    with pytest.raises(AttributeError, match="Learning rate cannot be accessed on a MultiOptimizer"):
        optimizer.learning_rate
    with pytest.raises(AttributeError, match="Learning rate cannot be set on a MultiOptimizer"):
        optimizer.learning_rate = 0.1
    optimizer.loss_scale_factor = 8.0
    assert all(o.loss_scale_factor == 8.0 for o in optimizer.optimizers)


def test_callable_selector_and_refused_inner_optimizers():
    adam, sgd = optimizers.Adam(), optimizers.SGD()
    optimizer = optimizers.MultiOptimizer(lambda variable: adam if "bias" in variable.path else sgd)
    variables = [kerasish.Variable(s, name=n) for n, s in STARTS.items()]
    optimizer.apply([numpy.ones_like(s) for s in STARTS.values()], variables)
    assert optimizer.optimizers == [sgd, adam]
    assert int(adam.iterations.numpy()) == int(sgd.iterations.numpy()) == 1
    nested = optimizers.MultiOptimizer(lambda variable: optimizers.LossScaleOptimizer(optimizers.SGD()))
    with pytest.raises(ValueError, match="LossScaleOptimizer cannot be used inside an MultiOptimizer"):
        nested.build(variables)


def test_fit_and_keras_file_keep_the_state(engine, tmp_path):
    x = RNG.normal(size=(32, 3)).astype("float32")
    y = x @ numpy.array([[1.0], [-2.0], [0.5]], "float32")
    inputs = kerasish.Input((3,))
    hidden = kerasish.layers.Dense(4, name="encoder")(inputs)
    model = kerasish.Model(inputs, kerasish.layers.Dense(1, name="head")(hidden))
    mapping = optimizers.OptimizerMap(optimizers.SGD(0.05, momentum=0.5), {"encoder/.*": optimizers.Adam(0.05)})
    model.compile(optimizer=optimizers.MultiOptimizer(mapping), loss="mse", backend=engine)
    history = model.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    adam, sgd = model.optimizer.optimizers
    assert int(adam.iterations.numpy()) == int(sgd.iterations.numpy()) == 16
    assert len(adam.variables) == 2 + 2 * 2 and len(sgd.variables) == 2 + 2
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = kerasish.saving.load_model(path)
    assert type(loaded.optimizer) is optimizers.MultiOptimizer
    assert len(loaded.optimizer.variables) == len(model.optimizer.variables) == 2 + 6 + 4
    for saved, restored in zip(model.optimizer.variables, loaded.optimizer.variables):
        numpy.testing.assert_array_equal(saved.numpy(), restored.numpy())
    numpy.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.slow
def test_keras_files_load_both_ways_with_the_optimizer_state(tmp_path):
    keras = pytest.importorskip("keras")
    x = RNG.normal(size=(16, 3)).astype("float32")
    for module in (keras, kerasish):
        inputs = module.Input((3,))
        hidden = module.layers.Dense(4, name="encoder")(inputs)
        model = module.Model(inputs, module.layers.Dense(1, name="head")(hidden))
        mapping = module.optimizers.OptimizerMap(
            module.optimizers.SGD(0.05, momentum=0.5), {"encoder/.*": module.optimizers.Adam(0.05)}
        )
        model.compile(optimizer=module.optimizers.MultiOptimizer(mapping), loss="mse")
        model.fit(x, x[:, :1], batch_size=8, verbose=0)
        model.save(tmp_path / f"{module.__name__}.keras")
    for written, reader in (("keras", kerasish), ("kerasish", keras)):
        writer = keras if written == "keras" else kerasish
        expected = writer.saving.load_model(tmp_path / f"{written}.keras")
        loaded = reader.saving.load_model(tmp_path / f"{written}.keras")
        assert type(loaded.optimizer).__name__ == "MultiOptimizer"
        assert [type(o).__name__ for o in loaded.optimizer.optimizers] == ["Adam", "SGD"]
        assert int(numpy.asarray(loaded.optimizer.optimizers[0].iterations)) == 2
        assert len(loaded.optimizer.variables) == len(expected.optimizer.variables) == 2 + 6 + 4
        for theirs, mine in zip(expected.optimizer.variables, loaded.optimizer.variables):
            numpy.testing.assert_array_equal(numpy.asarray(theirs), numpy.asarray(mine))
