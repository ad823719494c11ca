"""Adafactor, Ftrl, Lamb, Lion, Muon and ScheduleFreeAdamW against real Keras step by step, on both engines;
CosineDecayRestarts against Keras; `optimizers.legacy` refusing as Keras 3 does; configs and fit."""

import numpy
import pytest

import kerasish
from kerasish import ops, optimizers

RNG = numpy.random.default_rng(7)
STARTS = [RNG.normal(size=(4, 3)).astype("float32"), RNG.normal(size=(3,)).astype("float32")]
GRADIENTS = [[RNG.normal(size=s.shape).astype("float32") for s in STARTS] for _ in range(5)]

CASES = [
    ("Adafactor", {}),
    ("Adafactor", {"relative_step": False, "clip_threshold": 0.5}),
    ("Ftrl", {"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02, "beta": 0.1}),
    ("Ftrl", {"l2_shrinkage_regularization_strength": 0.05, "learning_rate_power": -0.3}),
    ("Lamb", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.8}),
    ("Muon", {"learning_rate": 0.02}),
    ("Muon", {"nesterov": False, "rms_rate": None, "exclude_layers": ["w1"]}),
    ("ScheduleFreeAdamW", {"warmup_steps": 2}),
    ("ScheduleFreeAdamW", {"weight_decay": 0.01}),
]


def run_kerasish(name, kwargs, engine):
    variables = [kerasish.Variable(start.copy(), name=f"w{i}") for i, start in enumerate(STARTS)]
    optimizer = getattr(optimizers, name)(**kwargs)
    optimizer.build(variables)

    @kerasish.function(engine=engine)
    def step(gradients):
        optimizer.apply(gradients, variables)

    history = []
    for gradients in GRADIENTS:
        step(gradients)
        history.append([v.numpy().copy() for v in variables])
    return history


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs", CASES)
def test_steps_match_real_keras(name, kwargs, engine):
    keras = pytest.importorskip("keras")
    theirs = [keras.Variable(start.copy(), name=f"w{i}") for i, start in enumerate(STARTS)]
    reference = getattr(keras.optimizers, name)(**kwargs)
    ours = run_kerasish(name, kwargs, engine)
    for step, gradients in enumerate(GRADIENTS):
        reference.apply(gradients, theirs)
        for mine, their in zip(ours[step], theirs):
            numpy.testing.assert_allclose(mine, numpy.asarray(their), rtol=2e-5, atol=1e-6, err_msg=f"{name} {step}")


@pytest.mark.parametrize("name, kwargs", CASES[::2])
def test_slots_configs_and_fit(name, kwargs, engine):
    keras = pytest.importorskip("keras")
    optimizer = getattr(optimizers, name)(**kwargs)
    clone = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(clone) is type(optimizer) and clone.get_config() == optimizer.get_config()
    assert optimizers.get(name.lower()).__class__ is type(optimizer)
    reference = getattr(keras.optimizers, name)(**kwargs)
    assert sorted(optimizer.get_config()) == sorted(reference.get_config())
    variables = [kerasish.Variable(s, name=f"w{i}") for i, s in enumerate(STARTS)]
    reference_variables = [keras.Variable(s, name=f"w{i}") for i, s in enumerate(STARTS)]
    optimizer.build(variables)
    reference.build(reference_variables)
    assert [v.path.replace(optimizer.name, "") for v in optimizer.variables] == [
        v.path.replace(reference.name, "") for v in reference.variables
    ]
    assert [tuple(v.shape) for v in optimizer.variables] == [tuple(v.shape) for v in reference.variables]

    model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(4), kerasish.layers.Dense(1)])
    model.compile(optimizer=getattr(optimizers, name)(**kwargs), loss="mse", backend=engine)
    x = RNG.normal(size=(32, 3)).astype("float32")
    history = model.fit(x, x.sum(1, keepdims=True), epochs=3, batch_size=8, shuffle=False, verbose=0)
    assert numpy.all(numpy.isfinite(history.history["loss"]))


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [{}, {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}, {"t_mul": 3.0, "m_mul": 0.8}])
def test_cosine_decay_restarts_matches_keras(kwargs):
    keras = pytest.importorskip("keras")
    ours = optimizers.schedules.CosineDecayRestarts(0.1, 10, **kwargs)
    theirs = keras.optimizers.schedules.CosineDecayRestarts(0.1, 10, **kwargs)
    steps = range(0, 120, 7)
    numpy.testing.assert_allclose(
        [float(ops.convert_to_numpy(ours(step))) for step in steps],
        [float(theirs(step)) for step in steps],
        rtol=1e-5,
        atol=1e-7,
    )
    assert ours.get_config() == theirs.get_config()
    with pytest.raises(ValueError, match="`first_decay_steps` must be > 0. Received: first_decay_steps=0"):
        optimizers.schedules.CosineDecayRestarts(0.1, 0)


@pytest.mark.parametrize("name", ["Adagrad", "Adam", "Ftrl", "RMSprop", "SGD", "Optimizer"])
def test_legacy_optimizers_are_refused_as_in_keras_3(name):
    keras = pytest.importorskip("keras")
    with pytest.raises(ImportError, match="not supported in Keras 3"):
        getattr(keras.optimizers.legacy, name)()
    with pytest.raises(ImportError, match=f"not supported in Keras 3, nor in kerasish.*optimizers.{name}"):
        getattr(optimizers.legacy, name)(learning_rate=0.1)


def test_bad_arguments_quote_the_value():
    with pytest.raises(ValueError, match="Received: beta_1=1.5"):
        optimizers.Lion(beta_1=1.5)
    with pytest.raises(ValueError, match="Received: initial_accumulator_value=-1"):
        optimizers.Ftrl(initial_accumulator_value=-1)
    with pytest.raises(ValueError, match="Received: learning_rate_power=0.5"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match=r"at least 2 dimensions. Received: shape=\(3,\)"):
        optimizers.Muon().zeropower_via_newtonschulz5(ops.ones((3,)), 5)
