"""LossScaleOptimizer: dynamic loss scaling step by step against real Keras (finite, inf and NaN gradients,
growth after `dynamic_growth_steps`), on both engines; Keras's variable names, config and errors; `fit` and
a `.keras` round trip that keeps the scale."""

import numpy
import pytest

import kerasish
from kerasish import optimizers

RNG = numpy.random.default_rng(11)
STARTS = [RNG.normal(size=(3, 2)).astype("float32"), RNG.normal(size=(2,)).astype("float32")]
SCALED = [[(RNG.normal(size=s.shape) * 1000).astype("float32") for s in STARTS] for _ in range(7)]
SCALED[2][0][1, 1] = numpy.inf  # a skipped step: the scale halves
SCALED[5][1][0] = numpy.nan  # another, after the scale doubled


def make(module, inner):
    return module.optimizers.LossScaleOptimizer(inner(module), initial_scale=64.0, dynamic_growth_steps=2)


INNERS = [
    lambda module: module.optimizers.SGD(learning_rate=0.1, momentum=0.9),
    lambda module: module.optimizers.Adam(learning_rate=0.01),
]


def run(optimizer, engine):
    variables = [kerasish.Variable(start.copy(), name=f"w{i}") for i, start in enumerate(STARTS)]
    optimizer.build(variables)

    @kerasish.function(engine=engine)
    def step(gradients):
        optimizer.apply(gradients, variables)

    history = []
    for gradients in SCALED:
        step(gradients)
        history.append(
            (
                [v.numpy().copy() for v in variables],
                float(optimizer.dynamic_scale.numpy()),
                int(optimizer.step_counter.numpy()),
                int(optimizer.iterations.numpy()),
            )
        )
    return history


@pytest.mark.slow
@pytest.mark.parametrize("inner", INNERS)
def test_steps_match_real_keras(inner, engine):
    keras = pytest.importorskip("keras")
    theirs = [keras.Variable(start.copy(), name=f"w{i}") for i, start in enumerate(STARTS)]
    reference = make(keras, inner)
    ours = run(make(kerasish, inner), engine)
    reference.build(theirs)
    for step, gradients in enumerate(SCALED):
        # Keras's stateful apply cannot run eagerly on JAX (its cond assigns): its stateless twin, assigned back
        new_values, new_state = reference.stateless_apply(
            [v.value for v in reference.variables], gradients, [v.value for v in theirs]
        )
        for variable, value in zip([*theirs, *reference.variables], [*new_values, *new_state]):
            variable.assign(value)
        values, scale, counter, iterations = ours[step]
        for mine, their in zip(values, theirs):
            numpy.testing.assert_allclose(mine, numpy.asarray(their), rtol=2e-5, atol=1e-6, err_msg=f"step {step}")
        assert scale == float(reference.dynamic_scale.numpy()), step
        assert counter == int(reference.step_counter.numpy()), step
        assert iterations == int(reference.iterations.numpy()), step
    assert [scale for _, scale, _, _ in ours] == [64.0, 128.0, 64.0, 64.0, 128.0, 64.0, 64.0]


def test_skipped_step_changes_nothing_but_the_scale(engine):
    optimizer = optimizers.LossScaleOptimizer(optimizers.Adam(learning_rate=0.1))
    variables = [kerasish.Variable(start.copy(), name=f"w{i}") for i, start in enumerate(STARTS)]
    optimizer.build(variables)
    before = [v.numpy().copy() for v in optimizer.variables if "dynamic_scale" not in v.path]

    @kerasish.function(engine=engine)
    def step(gradients):
        optimizer.apply(gradients, variables)

    step([numpy.full(s.shape, numpy.inf, "float32") for s in STARTS])
    after = [v.numpy() for v in optimizer.variables if "dynamic_scale" not in v.path]
    for old, new in zip(before, after):
        numpy.testing.assert_array_equal(old, new)
    for start, variable in zip(STARTS, variables):
        numpy.testing.assert_array_equal(variable.numpy(), start)
    assert float(optimizer.dynamic_scale.numpy()) == 2.0**14


def test_defaults_names_and_config_as_in_keras():
    keras = pytest.importorskip("keras")
    ours = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.1, name="sgd"), name="lso")
    theirs = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.1, name="sgd"), name="lso")
    assert ours.initial_scale == theirs.initial_scale == 2.0**15
    assert ours.dynamic_growth_steps == theirs.dynamic_growth_steps == 2000
    assert ours.get_config() == theirs.get_config()
    ours.build([kerasish.Variable(STARTS[0], name="w")])
    theirs.build([keras.Variable(STARTS[0], name="w")])
    assert [v.path for v in ours.variables] == [v.path for v in theirs.variables]
    assert float(ours.scale_loss(kerasish.ops.convert_to_tensor(2.0)).numpy()) == 2.0**16
    assert ours.learning_rate is ours.inner_optimizer.learning_rate
    assert ours.iterations is ours.inner_optimizer.iterations


def test_config_round_trip_and_keras_config_loads():
    keras = pytest.importorskip("keras")
    optimizer = optimizers.LossScaleOptimizer(optimizers.Adam(learning_rate=0.02), initial_scale=8.0, name="lso")
    clone = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(clone) is optimizers.LossScaleOptimizer and type(clone.inner_optimizer) is optimizers.Adam
    assert clone.get_config() == optimizer.get_config()
    theirs = keras.optimizers.serialize(keras.optimizers.LossScaleOptimizer(keras.optimizers.RMSprop()))
    assert optimizers.deserialize(theirs).get_config() == keras.optimizers.deserialize(theirs).get_config()


def test_bad_arguments_are_refused_as_in_keras():
    with pytest.raises(ValueError, match="dynamic=False"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False)
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="does not support arguments: `momentum`"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), momentum=0.9)
    with pytest.raises(TypeError, match="inner_optimizer"):
        optimizers.LossScaleOptimizer("sgd")
    optimizers.LossScaleOptimizer(optimizers.SGD(), use_ema=False, clipnorm=None)  # older configs: defaults pass


def test_inner_loss_scale_factor_is_cleared():
    inner = optimizers.SGD(loss_scale_factor=4.0)
    optimizers.LossScaleOptimizer(inner)
    assert inner.loss_scale_factor is None


def test_fit_and_keras_file_keep_the_scale(engine, tmp_path):
    x = RNG.normal(size=(32, 3)).astype("float32")
    y = x @ numpy.array([[1.0], [-2.0], [0.5]], "float32")
    model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(4), kerasish.layers.Dense(1)])
    model.compile(
        optimizer=optimizers.LossScaleOptimizer(optimizers.Adam(0.05), dynamic_growth_steps=3),
        loss="mse",
        backend=engine,
    )
    history = model.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < loss[0]
    assert model.optimizer.iterations.numpy() == 16
    assert float(model.optimizer.dynamic_scale.numpy()) == 2.0**15 * 2**5  # no overflow in float32: 16 // 3 doublings
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = kerasish.saving.load_model(path)
    assert type(loaded.optimizer) is optimizers.LossScaleOptimizer
    assert len(loaded.optimizer.variables) == len(model.optimizer.variables) == 4 + 2 + 2 * 4
    for theirs, mine in zip(model.optimizer.variables, loaded.optimizer.variables):
        numpy.testing.assert_array_equal(theirs.numpy(), mine.numpy())
    numpy.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.slow  # test_fit_and_keras_file_keep_the_scale saves and reloads the same optimizer state
def test_keras_files_load_both_ways_with_the_optimizer_state(tmp_path):
    keras = pytest.importorskip("keras")
    x = RNG.normal(size=(16, 3)).astype("float32")
    for module in (keras, kerasish):
        inputs = module.Input((3,))
        model = module.Model(inputs, module.layers.Dense(1)(inputs))
        inner = module.optimizers.Adam(0.01)
        model.compile(optimizer=module.optimizers.LossScaleOptimizer(inner, dynamic_growth_steps=1), loss="mse")
        model.fit(x, x[:, :1], batch_size=8, verbose=0)
        model.save(tmp_path / f"{module.__name__}.keras")
    for written, reader in (("keras", kerasish), ("kerasish", keras)):
        writer = keras if written == "keras" else kerasish
        expected = writer.saving.load_model(tmp_path / f"{written}.keras")
        loaded = reader.saving.load_model(tmp_path / f"{written}.keras")
        assert type(loaded.optimizer).__name__ == "LossScaleOptimizer"
        assert float(numpy.asarray(loaded.optimizer.dynamic_scale)) == 2.0**17  # doubled after each of 2 steps
        assert len(loaded.optimizer.variables) == len(expected.optimizer.variables) == 4 + 2 + 2 * 2
        for theirs, mine in zip(expected.optimizer.variables, loaded.optimizer.variables):
            numpy.testing.assert_array_equal(numpy.asarray(theirs), numpy.asarray(mine))


def test_fit_scales_the_loss_by_loss_scale_factor(engine):
    """compile's train step differentiates `optimizer.scale_loss(loss)`, which `apply` divides out again:
    a static loss_scale_factor leaves the trained weights as they are without one."""
    x = RNG.normal(size=(16, 3)).astype("float32")
    y = x @ numpy.array([[1.0], [-2.0], [0.5]], "float32")
    weights = []
    for factor in (None, 8.0):
        model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(1, kernel_initializer="ones")])
        model.compile(optimizer=optimizers.SGD(0.05, loss_scale_factor=factor), loss="mse", backend=engine)
        history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        weights.append((model.get_weights(), history.history["loss"]))
    for plain, scaled in zip(weights[0][0], weights[1][0]):
        numpy.testing.assert_allclose(scaled, plain, rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(weights[1][1], weights[0][1], rtol=1e-6)  # the logged loss is unscaled
