"""SGD run eagerly updates each variable with one `sgd_update` op: the same float32 numbers as the
separate multiply/subtract ops it replaced, which the static engine still traces (its plan fuses them)."""

import numpy
import pytest

import kerasish
from kerasish import optimizers
from kerasish.backends import Variable, dispatch
from kerasish.backends.primitives.optimizer_updates import sgd_update
from kerasish.optimizers import sgd

from ..ops.engines import assert_gradients_match_finite_differences

RNG = numpy.random.default_rng(11)
WEIGHTS = [RNG.standard_normal((5, 3)).astype("float32"), RNG.standard_normal((3,)).astype("float32")]
GRADIENTS = [[RNG.standard_normal(w.shape).astype("float32") for w in WEIGHTS] for _ in range(3)]
SETTINGS = [{}, {"momentum": 0.9}, {"momentum": 0.5, "nesterov": True}]


def _composite(settings, steps):
    """Keras's rule written with the separate float32 ops, as SGD computed it before."""
    rate, momentum = numpy.float32(0.1), settings.get("momentum", 0.0)
    weights, slots = [w.copy() for w in WEIGHTS], [numpy.zeros_like(w) for w in WEIGHTS]
    for gradients in GRADIENTS[:steps]:
        for i, g in enumerate(gradients):
            if momentum == 0:
                weights[i] = weights[i] - g * rate
                continue
            slots[i] = slots[i] * momentum - g * rate
            step = slots[i] * momentum - g * rate if settings.get("nesterov") else slots[i]
            weights[i] = weights[i] + step
    return weights


def _train(settings, engine, steps):
    variables = [Variable(w.copy()) for w in WEIGHTS]
    optimizer = optimizers.SGD(0.1, **settings)
    optimizer.build(variables)

    @kerasish.function(engine=engine)
    def step(gradients):
        optimizer.apply(gradients, variables)

    for gradients in GRADIENTS[:steps]:
        step([numpy.asarray(g) for g in gradients])
    return [v.numpy() for v in variables]


@pytest.mark.parametrize("settings", SETTINGS, ids=["plain", "momentum", "nesterov"])
def test_updates_are_the_composite_numbers(engine, settings):
    for ours, expected in zip(_train(settings, engine, 3), _composite(settings, 3)):
        assert ours.dtype == numpy.float32
        numpy.testing.assert_array_equal(ours, expected)


def test_eager_step_is_one_op_per_variable(monkeypatch):
    calls = []
    original = sgd.sgd_update
    monkeypatch.setattr(sgd, "sgd_update", lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs))
    _train({}, "dynamic", 1)
    assert len(calls) == len(WEIGHTS)


def test_gradient_through_an_update_matches_the_composite(engine):
    def update(value, gradient, rate):
        return sgd_update(value, gradient, rate, momentum=0.75)

    assert_gradients_match_finite_differences(engine, update, WEIGHTS[0], GRADIENTS[0][0], numpy.array(0.3))


@pytest.mark.parametrize(
    ("value", "gradient"),
    [
        (WEIGHTS[0], GRADIENTS[0][0]),
        (WEIGHTS[1], GRADIENTS[0][1]),
        (numpy.float32(1.5) * numpy.ones((), "float32"), numpy.ones((), "float32")),  # 0-d: numpy gives scalars
        (WEIGHTS[0].astype("float16"), GRADIENTS[0][0]),  # float32 result: not written into a float16 temporary
        (WEIGHTS[1], GRADIENTS[0][0]),  # the gradient broadcasts the value
    ],
    ids=["matrix", "vector", "scalar", "mixed-dtypes", "broadcast"],
)
@pytest.mark.parametrize("momentum", [None, 0.5])
def test_the_update_is_a_new_array_and_leaves_its_inputs_alone(value, gradient, momentum):
    """The result is written into the op's own temporary: never into the variable's storage (the step's
    all-or-nothing rollback puts the old storage back) nor into the gradient (a tape may share it)."""
    value_before, gradient_before = value.copy(), gradient.copy()
    rate = numpy.array(0.1, "float32")
    result = sgd_update(value, gradient, rate, momentum=momentum).numpy()
    scaled = value if momentum is None else value * numpy.float32(momentum)
    numpy.testing.assert_array_equal(result, scaled - gradient * rate)
    assert result.dtype == numpy.result_type(value, gradient)
    numpy.testing.assert_array_equal(value, value_before)
    numpy.testing.assert_array_equal(gradient, gradient_before)
    assert not numpy.shares_memory(result, value) and not numpy.shares_memory(result, gradient)


def _ops_of_one_eager_step(monkeypatch, optimizer, variables, gradients):
    names, run = [], dispatch.ENGINES["dynamic"]
    monkeypatch.setitem(dispatch.ENGINES, "dynamic", lambda prim, *rest: names.append(prim.name) or run(prim, *rest))
    optimizer.apply(gradients, variables)
    monkeypatch.setitem(dispatch.ENGINES, "dynamic", run)
    return names


@pytest.mark.parametrize("settings", SETTINGS, ids=["plain", "momentum", "nesterov"])
def test_an_eager_step_reads_the_learning_rate_variable_without_an_op(monkeypatch, settings):
    variables = [Variable(w.copy()) for w in WEIGHTS]
    optimizer = optimizers.SGD(0.1, **settings)
    optimizer.build(variables)
    gradients = [kerasish.ops.convert_to_tensor(g) for g in GRADIENTS[0]]
    names = _ops_of_one_eager_step(monkeypatch, optimizer, variables, gradients)
    assert "cast" not in names and names.count("sgd_update") == len(WEIGHTS) * (2 if settings.get("nesterov") else 1)
    for ours, expected in zip(variables, _composite(settings, 1)):
        numpy.testing.assert_array_equal(ours.numpy(), expected)


def test_a_float16_variable_gets_the_learning_rate_in_its_dtype():
    value, gradient = WEIGHTS[0].astype("float16"), GRADIENTS[0][0].astype("float16")
    variable = Variable(value.copy(), dtype="float16")
    optimizer = optimizers.SGD(0.1)
    optimizer.apply([kerasish.ops.convert_to_tensor(gradient)], [variable])
    assert variable.dtype == numpy.float16
    numpy.testing.assert_array_equal(variable.numpy(), value - gradient * numpy.float16(numpy.float32(0.1)))


def test_an_update_step_set_on_the_instance_is_called_for_each_variable():
    variables = [Variable(w.copy()) for w in WEIGHTS]
    optimizer = optimizers.SGD(0.1)
    optimizer.build(variables)
    calls = []
    optimizer.update_step = lambda gradient, variable, learning_rate: calls.append((variable, learning_rate))
    optimizer.apply([kerasish.ops.convert_to_tensor(g) for g in GRADIENTS[0]], variables)
    assert [variable for variable, _ in calls] == variables
    assert not optimizer.accepts_pending_products()
    assert all(float(learning_rate) == numpy.float32(0.1) for _, learning_rate in calls)


def test_an_eager_step_uses_the_learning_rate_assigned_before_it():
    variables = [Variable(w.copy()) for w in WEIGHTS]
    optimizer = optimizers.SGD(0.1)
    optimizer.build(variables)
    optimizer.apply([kerasish.ops.convert_to_tensor(g) for g in GRADIENTS[0]], variables)
    optimizer.learning_rate = 0.05
    optimizer.apply([kerasish.ops.convert_to_tensor(g) for g in GRADIENTS[1]], variables)
    for variable, weight, first, second in zip(variables, WEIGHTS, *GRADIENTS[:2]):
        expected = (weight - first * numpy.float32(0.1)) - second * numpy.float32(0.05)
        numpy.testing.assert_array_equal(variable.numpy(), expected)
