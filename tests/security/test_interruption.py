"""An interruption during a training step never leaves a half-applied update, on both engines.

The state checked is every model weight and every optimizer variable (slots and `iterations`).
Defined outcome: the dynamic engine's optimizer step is all or nothing by rollback, so an interrupt
inside it leaves the state before the step; the static engine computes everything first (an error
or a Ctrl-C there leaves the state before the step) and then commits with Ctrl-C held back (a
Ctrl-C there is raised once the state after the step is in). Either way the state is exactly the
one before or the one after the step.
"""

import os
import signal
import subprocess
import sys

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.backends.variable import Variable

pytestmark = pytest.mark.skipif(os.name == "nt", reason="raises SIGINT in the test process")


def compiled_model(engine):
    seeds = iter(range(10))

    def seeded(shape, dtype):
        return numpy.random.default_rng(next(seeds)).normal(0, 0.5, shape).astype(dtype)

    model = kerasish.Sequential(
        [
            kerasish.Input((3,)),
            layers.Dense(4, activation="relu", kernel_initializer=seeded, bias_initializer=seeded),
            layers.Dense(2, kernel_initializer=seeded, bias_initializer=seeded),
        ]
    )
    model.compile(optimizer=kerasish.optimizers.Adam(0.1), loss="mse", backend=engine)
    return model


def batch(seed):
    rng = numpy.random.default_rng(seed)
    return rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")


def state(model):
    return [variable.numpy() for variable in model.weights + model.optimizer.variables]


def equal(first, second):
    return all(numpy.array_equal(a, b) for a, b in zip(first, second))


def prepared(engine):
    """A model after one step (built, traced), its state, and the state one more step gives."""
    model = compiled_model(engine)
    model.train_on_batch(*batch(1))
    reference = compiled_model(engine)
    reference.train_on_batch(*batch(1))
    reference.train_on_batch(*batch(2))
    return model, state(model), state(reference)


class CountedWrites:
    """Replaces the storage slot of Variable: counts replacements of a variable's storage and sends
    SIGINT to this process right after the `at`-th write."""

    def __init__(self, slot, counter):
        self.slot, self.counter = slot, counter

    def __get__(self, instance, owner):
        return self if instance is None else self.slot.__get__(instance, owner)

    def __set__(self, instance, value):
        self.slot.__set__(instance, value)
        self.counter.write()


class Counter:
    def __init__(self, at):
        self.at, self.count = at, 0

    def write(self):
        self.count += 1
        if self.count == self.at:
            signal.raise_signal(signal.SIGINT)


def static_function(model):
    (trace,) = model._functions["train"].traces.values()
    return trace.compiled


def regenerate(function, wrap):
    """Rebuild the compiled replay with each step's kernel replaced by `wrap(index, step, kernel)`."""
    for index, step in enumerate(function.plan.steps):
        step.kernel = wrap(index, step, step.kernel)
    function._compute, function._commit = function.plan.generate(delete_dead="buffer_reuse" in function.passes)


def count_commit_writes(function, counter):
    """Count the static plan's in-place writes into variables (the commit section) as writes."""
    storages = {slot for slot, _ in function.plan.variables}

    def wrap(index, step, kernel):
        if step.out not in storages:
            return kernel

        def counted(*args, **kwargs):
            result = kernel(*args, **kwargs)
            counter.write()
            return result

        return counted

    regenerate(function, wrap)


def writes_in_one_step(engine):
    model, _, _ = prepared(engine)
    counter = Counter(at=0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Variable, "_data", CountedWrites(Variable.__dict__["_data"], counter))
        if engine == "static":
            count_commit_writes(static_function(model), counter)
        model.train_on_batch(*batch(2))
    return counter.count


def test_a_sigint_after_any_number_of_variable_writes_leaves_the_state_before_or_after_the_step(engine):
    total = writes_in_one_step(engine)
    assert total >= 12  # weights, Adam slots and iterations, at the least
    outcomes = []
    for at in range(1, total + 1):
        model, before, after = prepared(engine)
        counter = Counter(at)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Variable, "_data", CountedWrites(Variable.__dict__["_data"], counter))
            if engine == "static":
                count_commit_writes(static_function(model), counter)
            with pytest.raises(KeyboardInterrupt):
                model.train_on_batch(*batch(2))
        interrupted = state(model)
        assert equal(interrupted, before) or equal(interrupted, after), f"half-applied step after {at} writes"
        outcomes.append("before" if equal(interrupted, before) else "after")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if engine == "static":  # every write is in the commit section: the step completes, then the interrupt
        assert set(outcomes) == {"after"}
    else:  # inside the optimizer's writes: rolled back
        assert "before" in outcomes


@pytest.mark.slow
@pytest.mark.parametrize("raising", ["sigint", "error"])
def test_static_an_interruption_before_the_commit_leaves_the_state_before_the_step(raising):
    model, before, _ = prepared("static")
    function = static_function(model)
    start = function.plan.commit_start
    assert 0 < start < len(function.plan.steps)
    for failing in range(start):
        model, before, _ = prepared("static")
        function = static_function(model)

        def wrap(index, step, kernel, failing=failing):
            if index != failing:
                return kernel

            def interrupted(*args, **kwargs):
                if raising == "sigint":
                    signal.raise_signal(signal.SIGINT)
                raise RuntimeError("injected")

            return interrupted

        regenerate(function, wrap)
        with pytest.raises(KeyboardInterrupt if raising == "sigint" else ValueError):
            model.train_on_batch(*batch(2))
        assert equal(state(model), before), f"step {failing} changed the variables"


def test_static_commit_section_holds_only_the_writes_into_variables_and_what_reads_them():
    model, _, _ = prepared("static")
    plan = static_function(model).plan
    storages = {slot for slot, _ in plan.variables}
    commit = plan.steps[plan.commit_start :]
    written = {step.output for step in commit}
    assert all(step.out in storages or written & set(step.inputs) for step in commit)
    assert not any(step.out in storages for step in plan.steps[: plan.commit_start])


def test_dynamic_an_error_inside_the_optimizer_step_rolls_every_variable_back():
    model, before, _ = prepared("dynamic")
    optimizer = model.optimizer
    original = type(optimizer).update_step
    calls = []

    def failing_update_step(self, gradient, variable, learning_rate):
        original(self, gradient, variable, learning_rate)
        calls.append(variable)
        if len(calls) == 3:
            raise RuntimeError("injected")

    optimizer.update_step = failing_update_step.__get__(optimizer)
    with pytest.raises(RuntimeError, match="injected"):
        model.train_on_batch(*batch(2))
    assert len(calls) == 3 and equal(state(model), before)


CHILD = """
import sys
import numpy
import kerasish
from kerasish import layers
from kerasish.callbacks import Callback

engine = sys.argv[1]
model = kerasish.Sequential([kerasish.Input((64,)), layers.Dense(256, activation="relu"),
                             layers.Dense(256, activation="relu"), layers.Dense(4)])
model.compile(optimizer=kerasish.optimizers.Adam(1e-3), loss="mse", backend=engine)
rng = numpy.random.default_rng(0)
x = rng.normal(size=(512, 64)).astype("float32")
y = rng.normal(size=(512, 4)).astype("float32")
model.fit(x[:32], y[:32], batch_size=32, verbose=0)
variables = model.weights + model.optimizer.variables


def snapshot():
    return [v.numpy() for v in variables]


class Snapshot(Callback):
    def on_train_batch_begin(self, batch, logs=None):
        self.current = (batch, snapshot())


def same(first, second):
    return all(numpy.array_equal(a, b) for a, b in zip(first, second))


watcher = Snapshot()
while True:
    print("running", flush=True)
    try:
        model.fit(x, y, batch_size=32, epochs=10 ** 6, shuffle=False, verbose=0, callbacks=[watcher])
    except KeyboardInterrupt:
        interrupted = snapshot()
    if sys.stdin.readline().strip() != "check":
        break
    index, before = watcher.current
    for variable, value in zip(variables, before):
        variable.assign(value)
    model.train_on_batch(x[index * 32:(index + 1) * 32], y[index * 32:(index + 1) * 32])
    after = snapshot()
    print("before" if same(interrupted, before) else "after" if same(interrupted, after) else "half", flush=True)
    for variable, value in zip(variables, interrupted):
        variable.assign(value)
"""


@pytest.mark.slow
def test_sigint_sent_to_a_process_in_fit_never_leaves_a_half_applied_step(engine):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, engine], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root
    )
    delays = numpy.random.default_rng(0).uniform(0.05, 0.4, size=9)
    verdicts = []
    try:
        for round, delay in enumerate(delays):
            assert child.stdout.readline().strip() == "running"
            try:
                child.wait(timeout=float(delay))
            except subprocess.TimeoutExpired:
                pass
            child.send_signal(signal.SIGINT)
            last = round == len(delays) - 1
            child.stdin.write("stop\n" if last else "check\n")
            child.stdin.flush()
            if not last:
                verdicts.append(child.stdout.readline().strip())
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert verdicts and set(verdicts) <= {"before", "after"}, verdicts


def test_dynamic_an_interrupted_step_puts_back_batch_norm_statistics_weights_optimizer_and_metrics():
    model = kerasish.Sequential([kerasish.Input((3,)), layers.Dense(4), layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer=kerasish.optimizers.SGD(0.1, momentum=0.9), loss="mse", metrics=["mae"], backend="dynamic")
    model.train_on_batch(*batch(1))
    everything = model.weights + model.optimizer.variables
    before = [variable.numpy() for variable in everything]
    apply = model.optimizer.apply

    def interrupted(*arguments, **keywords):  # the whole update is in, the metrics are not yet
        apply(*arguments, **keywords)
        raise KeyboardInterrupt

    model.optimizer.apply = interrupted
    with pytest.raises(KeyboardInterrupt):
        model.fit(*batch(2), batch_size=8, epochs=1, verbose=0)
    after = [variable.numpy() for variable in everything]
    assert all(numpy.array_equal(a, b) for a, b in zip(before, after))
    # fit reset the metrics as the epoch began; the loss the step had already tracked is taken back
    assert all(not variable.numpy().any() for variable in model.metrics_variables)
    model.optimizer.apply = apply
    model.fit(*batch(2), batch_size=8, epochs=1, verbose=0)  # and the model still trains
    assert not all(numpy.array_equal(a, b) for a, b in zip(before, [v.numpy() for v in everything]))
