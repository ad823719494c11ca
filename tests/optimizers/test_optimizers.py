"""Each optimizer, a few steps on a quadratic, against Keras's update rule re-written in numpy
(float64), on both engines; plus clipping, weight decay, constraints, EMA, configs and errors."""

import warnings

import numpy
import pytest

import kerasish
from kerasish import ops, optimizers

SCALES = [numpy.array([1.0, 2.0, 0.5], numpy.float32), numpy.array([[3.0, 0.2]], numpy.float32)]
TARGETS = [numpy.array([0.5, -1.0, 2.0], numpy.float32), numpy.array([[-0.5, 1.5]], numpy.float32)]
STARTS = [numpy.array([0.1, 0.2, -0.3], numpy.float32), numpy.array([[1.0, -2.0]], numpy.float32)]


def train(optimizer, engine, steps=4, with_tape=False):
    """Minimise sum(scale * (w - target)^2 / 2) for two variables; returns their values after each step."""
    variables = [kerasish.Variable(start.copy(), name=f"w{i}") for i, start in enumerate(STARTS)]

    @kerasish.function(engine=engine)
    def step():
        if with_tape:
            with kerasish.GradientTape() as tape:
                loss = sum(ops.sum(0.5 * s * ops.square(v - t)) for v, s, t in zip(variables, SCALES, TARGETS))
            grads = tape.gradient(loss, variables)
        else:
            grads = [s * (v - t) for v, s, t in zip(variables, SCALES, TARGETS)]
        optimizer.apply(grads, variables)

    history = []
    for _ in range(steps):
        step()
        history.append([v.numpy().copy() for v in variables])
    if engine == "static":
        assert len(step.traces) == 1
    return history


def reference(update, steps=4, **hyper):
    """The same descent with `update(g, w, state, t, **hyper)` written in numpy; t counts from 1."""
    weights = [start.astype(numpy.float64) for start in STARTS]
    states = [{} for _ in weights]
    history = []
    for t in range(1, steps + 1):
        for i, (s, target) in enumerate(zip(SCALES, TARGETS)):
            weights[i] = update(s * (weights[i] - target), weights[i], states[i], t, **hyper)
        history.append([w.copy() for w in weights])
    return history


def sgd(g, w, state, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    m = state.get("m", 0.0) * momentum - lr * g
    state["m"] = m
    return w + (momentum * m - lr * g if nesterov else m)


def adam(g, w, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None):
    if weight_decay:
        w = w - w * weight_decay * lr
    m = state["m"] = state.get("m", 0.0) + (g - state.get("m", 0.0)) * (1 - beta_1)
    v = state["v"] = state.get("v", 0.0) + (g * g - state.get("v", 0.0)) * (1 - beta_2)
    if amsgrad:
        v = state["v_hat"] = numpy.maximum(state.get("v_hat", 0.0), v)
    alpha = lr * numpy.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - m * alpha / (numpy.sqrt(v) + epsilon)


def rmsprop(g, w, state, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    v = state["v"] = rho * state.get("v", 0.0) + (1 - rho) * g * g
    if centered:
        a = state["a"] = rho * state.get("a", 0.0) + (1 - rho) * g
        increment = lr * g / numpy.sqrt(v - a * a + epsilon)
    else:
        increment = lr * g / numpy.sqrt(v + epsilon)
    if momentum > 0:
        increment = state["m"] = momentum * state.get("m", 0.0) + increment
    return w - increment


def adagrad(g, w, state, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    a = state["a"] = state.get("a", initial_accumulator_value) + g * g
    return w - lr * g / numpy.sqrt(a + epsilon)


def adadelta(g, w, state, t, lr, rho=0.95, epsilon=1e-7):
    grad_mean = state["g"] = rho * state.get("g", 0.0) + (1 - rho) * g * g
    delta = -numpy.sqrt(state.get("d", 0.0) + epsilon) * g / numpy.sqrt(grad_mean + epsilon)
    state["d"] = rho * state.get("d", 0.0) + (1 - rho) * delta * delta
    return w + lr * delta


def adamax(g, w, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = state["m"] = state.get("m", 0.0) + (g - state.get("m", 0.0)) * (1 - beta_1)
    u = state["u"] = numpy.maximum(beta_2 * state.get("u", 0.0), numpy.abs(g))
    return w - lr * m / ((1 - beta_1**t) * (u + epsilon))


def nadam(g, w, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    schedule = lambda step: beta_1 * (1 - 0.5 * 0.96**step)  # noqa: E731
    # the product is shared by all variables and advanced once per step, before the first update
    product = state["product"] = state.get("product", 1.0) * schedule(t)
    m = state["m"] = state.get("m", 0.0) + (g - state.get("m", 0.0)) * (1 - beta_1)
    v = state["v"] = state.get("v", 0.0) + (g * g - state.get("v", 0.0)) * (1 - beta_2)
    m_hat = schedule(t + 1) * m / (1 - product * schedule(t + 1)) + (1 - schedule(t)) * g / (1 - product)
    return w - m_hat * lr / (numpy.sqrt(v / (1 - beta_2**t)) + epsilon)


CASES = [
    pytest.param(lambda: optimizers.SGD(0.1), sgd, {"lr": 0.1}, id="sgd"),
    pytest.param(lambda: optimizers.SGD(0.1, momentum=0.9), sgd, {"lr": 0.1, "momentum": 0.9}, id="sgd-momentum"),
    pytest.param(
        lambda: optimizers.SGD(0.1, momentum=0.5, nesterov=True),
        sgd,
        {"lr": 0.1, "momentum": 0.5, "nesterov": True},
        id="sgd-nesterov",
    ),
    pytest.param(lambda: optimizers.Adam(0.1), adam, {"lr": 0.1}, id="adam"),
    pytest.param(lambda: optimizers.Adam(0.1, amsgrad=True), adam, {"lr": 0.1, "amsgrad": True}, id="adam-amsgrad"),
    pytest.param(lambda: optimizers.AdamW(0.1, weight_decay=0.05), adam, {"lr": 0.1, "weight_decay": 0.05}, id="adamw"),
    pytest.param(lambda: optimizers.RMSprop(0.1), rmsprop, {"lr": 0.1}, id="rmsprop"),
    pytest.param(
        lambda: optimizers.RMSprop(0.1, momentum=0.5, centered=True),
        rmsprop,
        {"lr": 0.1, "momentum": 0.5, "centered": True},
        id="rmsprop-centered-momentum",
    ),
    pytest.param(lambda: optimizers.Adagrad(0.1), adagrad, {"lr": 0.1}, id="adagrad"),
    pytest.param(lambda: optimizers.Adadelta(1.0), adadelta, {"lr": 1.0}, id="adadelta"),
    pytest.param(lambda: optimizers.Adamax(0.1), adamax, {"lr": 0.1}, id="adamax"),
    pytest.param(lambda: optimizers.Nadam(0.1), nadam, {"lr": 0.1}, id="nadam"),
]


@pytest.mark.parametrize("make, update, hyper", CASES)
def test_updates_follow_the_keras_rule(engine, make, update, hyper):
    optimizer = make()
    ours = train(optimizer, engine)
    expected = reference(update, **hyper)
    for got_step, want_step in zip(ours, expected):
        for got, want in zip(got_step, want_step):
            assert got.dtype == numpy.float32
            numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert int(optimizer.iterations.numpy()) == 4


def test_a_step_with_gradient_tape_traces_the_whole_update():
    dynamic = train(optimizers.Adam(0.1), "dynamic", with_tape=True)
    static = train(optimizers.Adam(0.1), "static", with_tape=True)
    expected = reference(adam, lr=0.1)
    for d, s, want in zip(dynamic, static, expected):
        for a, b, c in zip(d, s, want):
            numpy.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5)
            numpy.testing.assert_allclose(b, c, rtol=1e-5, atol=1e-5)


def test_keras_defaults():
    adam = optimizers.Adam()
    assert (adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (0.9, 0.999, 1e-7, False)
    assert float(adam.learning_rate.numpy()) == pytest.approx(0.001)
    sgd = optimizers.SGD()
    assert (float(sgd.learning_rate.numpy()), sgd.momentum, sgd.nesterov) == (pytest.approx(0.01), 0.0, False)
    rms = optimizers.RMSprop()
    assert (rms.rho, rms.momentum, rms.epsilon, rms.centered) == (0.9, 0.0, 1e-7, False)
    assert optimizers.AdamW().weight_decay == 0.004
    assert (optimizers.Adagrad().initial_accumulator_value, optimizers.Adagrad().epsilon) == (0.1, 1e-7)
    assert (optimizers.Adadelta().rho, optimizers.Adadelta().epsilon) == (0.95, 1e-7)
    for cls in (optimizers.Adamax, optimizers.Nadam):
        o = cls()
        assert (float(o.learning_rate.numpy()), o.beta_1, o.beta_2, o.epsilon) == (
            pytest.approx(0.001),
            0.9,
            0.999,
            1e-7,
        )


def test_slots_are_named_like_keras_and_not_trainable():
    optimizer = optimizers.Adam(name="adam")
    w = kerasish.Variable(numpy.zeros(2, numpy.float32), name="kernel")
    optimizer.build([w])
    assert [v.name for v in optimizer.variables] == ["iteration", "learning_rate", "kernel_momentum", "kernel_velocity"]
    assert optimizer.iterations.dtype == numpy.int64
    assert not any(v.trainable for v in optimizer.variables)


def _one_step(optimizer, grads, starts):
    variables = [kerasish.Variable(numpy.asarray(s, numpy.float32)) for s in starts]
    optimizer.apply([numpy.asarray(g, numpy.float32) for g in grads], variables)
    return [v.numpy() for v in variables]


def test_clipnorm_clipvalue_and_global_clipnorm():
    grads, zeros = [[3.0, 4.0], [0.0, 12.0]], [[0.0, 0.0], [0.0, 0.0]]
    by_norm = _one_step(optimizers.SGD(1.0, clipnorm=1.0), grads, zeros)
    numpy.testing.assert_allclose(by_norm[0], [-0.6, -0.8], rtol=1e-6)
    numpy.testing.assert_allclose(by_norm[1], [0.0, -1.0], rtol=1e-6)
    by_value = _one_step(optimizers.SGD(1.0, clipvalue=3.5), grads, zeros)
    numpy.testing.assert_allclose(by_value[0], [-3.0, -3.5])
    by_global = _one_step(optimizers.SGD(1.0, global_clipnorm=6.5), grads, zeros)
    numpy.testing.assert_allclose(by_global[0], [-1.5, -2.0], rtol=1e-6)  # global norm 13
    numpy.testing.assert_allclose(by_global[1], [0.0, -6.0], rtol=1e-6)
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_is_decoupled_and_can_exclude_variables():
    optimizer = optimizers.SGD(0.1, weight_decay=0.5)
    kept = kerasish.Variable(numpy.ones(2, numpy.float32), name="bias")
    decayed = kerasish.Variable(numpy.ones(2, numpy.float32), name="kernel")
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply([numpy.ones(2, numpy.float32)] * 2, [kept, decayed])
    numpy.testing.assert_allclose(kept.numpy(), [0.9, 0.9], rtol=1e-6)
    numpy.testing.assert_allclose(decayed.numpy(), [1 - 0.05 - 0.1] * 2, rtol=1e-6)


def test_constraints_apply_after_the_update(engine):
    variable = kerasish.Variable(numpy.array([0.5, -0.5], numpy.float32), constraint=lambda w: ops.maximum(w, 0.0))
    optimizer = optimizers.SGD(1.0)

    @kerasish.function(engine=engine)
    def step(grad):
        optimizer.apply([grad], [variable])

    step(numpy.array([0.25, 0.25], numpy.float32))
    numpy.testing.assert_allclose(variable.numpy(), [0.25, 0.0])


def test_missing_gradients_are_skipped_and_all_missing_is_an_error():
    a, b = (
        kerasish.Variable(numpy.ones(2, numpy.float32), name="a"),
        kerasish.Variable(numpy.ones(2, numpy.float32), name="b"),
    )
    optimizer = optimizers.SGD(0.5)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        optimizer.apply([numpy.ones(2, numpy.float32), None], [a, b])
    numpy.testing.assert_allclose(a.numpy(), [0.5, 0.5])
    numpy.testing.assert_allclose(b.numpy(), [1.0, 1.0])
    with pytest.raises(ValueError, match=r"No gradients provided for any variable.*\['a', 'b'\]"):
        optimizer.apply([None, None], [a, b])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([numpy.ones(2, numpy.float32)], [kerasish.Variable(numpy.ones(2, numpy.float32))])


def test_learning_rate_can_be_set_without_retracing():
    variable = kerasish.Variable(numpy.zeros(1, numpy.float32))
    optimizer = optimizers.SGD(1.0)

    @kerasish.function(engine="static")
    def step(grad):
        optimizer.apply([grad], [variable])

    step(numpy.ones(1, numpy.float32))
    optimizer.learning_rate = 0.25
    step(numpy.ones(1, numpy.float32))
    assert len(step.traces) == 1
    numpy.testing.assert_allclose(variable.numpy(), [-1.25])
    assert optimizer.get_config()["learning_rate"] == 0.25


def test_moving_average_of_weights():
    variable = kerasish.Variable(numpy.zeros(1, numpy.float32))
    optimizer = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        optimizer.apply([numpy.ones(1, numpy.float32)], [variable])
    # weights -1, -2, -3; the average starts at the first value, then 0.5 * avg + 0.5 * w
    average = optimizer._model_variables_moving_average[0]
    numpy.testing.assert_allclose(average.numpy(), [0.5 * (0.5 * -1 + 0.5 * -2) + 0.5 * -3])
    optimizer.finalize_variable_values([variable])
    numpy.testing.assert_allclose(variable.numpy(), average.numpy())


def test_configs_round_trip_and_get():
    adam = optimizers.Adam(0.01, beta_1=0.8, amsgrad=True, clipnorm=1.0, name="my_adam")
    config = adam.get_config()
    assert config["learning_rate"] == pytest.approx(0.01) and config["beta_1"] == 0.8 and config["amsgrad"]
    again = optimizers.Adam.from_config(config)
    assert (again.name, again.beta_1, again.amsgrad, again.clipnorm) == ("my_adam", 0.8, True, 1.0)
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    restored = optimizers.deserialize(optimizers.serialize(optimizers.Nadam(0.02)))
    assert isinstance(restored, optimizers.Nadam) and float(restored.learning_rate.numpy()) == pytest.approx(0.02)
    assert optimizers.get(adam) is adam


def test_bad_arguments_are_errors():
    with pytest.raises(ValueError, match=r"Could not interpret optimizer identifier: 'adamm'.*adam, adamax"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")
    with pytest.raises(ValueError, match="`momentum` must be a float between"):
        optimizers.SGD(momentum=2.0)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized"):
        optimizers.Adam(betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="weight_decay=None"):
        optimizers.AdamW(weight_decay=None)


@pytest.mark.slow  # test_updates_follow_the_keras_rule checks each optimizer's update against its formula
def test_matches_keras_when_installed():
    keras = pytest.importorskip("keras")
    start = numpy.array([0.3, -0.7, 1.1], numpy.float32)
    grads = [numpy.array([0.5, -1.0, 0.25], numpy.float32) * (i + 1) for i in range(3)]
    for name, kwargs in (
        ("Adam", {"amsgrad": True}),
        ("Nadam", {}),
        ("RMSprop", {"centered": True}),
        ("Adadelta", {}),
        ("SGD", {"momentum": 0.9, "nesterov": True}),
    ):
        ours, theirs = kerasish.Variable(start), keras.Variable(start)
        mine, reference_optimizer = getattr(optimizers, name)(**kwargs), getattr(keras.optimizers, name)(**kwargs)
        with warnings.catch_warnings():
            for g in grads:
                mine.apply([g], [ours])
                reference_optimizer.apply([g], [theirs])
        numpy.testing.assert_allclose(ours.numpy(), numpy.asarray(theirs), rtol=1e-5, err_msg=name)


def test_misuse_errors_name_the_problem():
    variable = kerasish.Variable(numpy.ones(2, numpy.float32))
    with pytest.raises(ValueError, match="must already be built"):
        optimizers.SGD().apply([numpy.ones(2, numpy.float32)])
    built = optimizers.SGD()
    built.build([variable])
    with pytest.raises(ValueError, match="Received a list of 2 gradients, but the optimizer is tracking 1"):
        built.apply([numpy.ones(2, numpy.float32)] * 2)
    with pytest.raises(ValueError, match="has not yet been built"):
        optimizers.Adam().set_weights([])
    with pytest.raises(ValueError, match=r"`ema_momentum` must be in the range \[0, 1\]"):
        optimizers.Adam(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="gradient_accumulation_steps=4 is not supported"):
        optimizers.Adam(gradient_accumulation_steps=4)
    with pytest.raises(ValueError, match="can only be configured before the optimizer is built"):
        built.exclude_from_weight_decay(var_names=["bias"])


@pytest.mark.filterwarnings("ignore:.*tracing again")
def test_variables_in_another_order_or_a_subset_are_checked_each_call(engine):
    a, b = (kerasish.Variable(numpy.ones(2, numpy.float32), name=name) for name in "ab")
    c = kerasish.Variable(numpy.ones(2, numpy.float32), name="c", constraint=lambda w: ops.minimum(w, 0.5))
    optimizer = optimizers.SGD(0.5)
    optimizer.build([a, b, c])

    @kerasish.function(engine=engine)
    def step(grads, variables):
        optimizer.apply(grads, variables)

    one, two = numpy.ones(2, numpy.float32), numpy.full(2, 2.0, numpy.float32)
    step([one, two], [b, a])  # another order: each gradient still goes to its own variable
    numpy.testing.assert_allclose([a.numpy(), b.numpy(), c.numpy()], [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
    step([-one], [c])  # a subset holding the only constrained variable: its constraint still applies
    numpy.testing.assert_allclose(c.numpy(), [0.5, 0.5])
    with pytest.raises(ValueError, match="Unknown variable"):
        step([one, one, one], [a, b, kerasish.Variable(numpy.ones(2, numpy.float32))])
    assert int(optimizer.iterations.numpy()) == 2
