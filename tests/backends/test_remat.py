"""`kerasish.remat` and `kerasish.RematScope` (Keras 3's gradient checkpointing): the same values and
gradients as without it on both engines, and, on the dynamic engine, a tape that keeps less."""

import os

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.rematerialization import RematMode, get_current_remat_mode


def _data(seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.standard_normal((5, 8)).astype("float32"), rng.standard_normal((8, 8)).astype("float32")


def _run(engine, step, *arrays):
    """`step(*tensors)` eagerly on the dynamic engine, compiled on the static one; numpy results."""
    tensors = [Tensor(a) for a in arrays]
    result = step(*tensors) if engine == "dynamic" else kerasish.function(step, engine="static")(*tensors)
    return [numpy.asarray(r) for r in result]


def _block(w):
    def block(x):
        h = ops.tanh(ops.matmul(x, w))
        h = ops.sin(ops.matmul(h, w)) * h
        return {"main": ops.matmul(h, w), "side": (ops.exp(h * 0.1), h + 1.0)}

    return block


def _loss(outputs):
    return ops.sum(outputs["main"] ** 2) + ops.sum(outputs["side"][0] * outputs["side"][1])


def test_remat_gives_the_values_and_gradients_of_the_function(engine):
    x_value, w_value = _data()
    w = kerasish.Variable(w_value)

    def step_with(block):
        def step(x):
            with kerasish.GradientTape() as tape:
                tape.watch(x)
                loss = _loss(block(x))
            return [loss, *tape.gradient(loss, [x, w])]

        return step

    plain = _run(engine, step_with(_block(w)), x_value)
    rematerialized = _run(engine, step_with(kerasish.remat(_block(w))), x_value)
    for a, b in zip(plain, rematerialized):
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)  # float32 sums accumulate in another order
    assert numpy.abs(plain[2]).sum() > 0  # the Variable's gradient flows through the remat node


def _held_bytes(tape):
    """Bytes of the distinct tensors the tape's records keep alive."""
    held = {}
    for record in tape._records:
        for x in (*record.inputs, record.output):
            if type(x) is Tensor:
                held[id(x)] = x._data.nbytes
    return sum(held.values())


def test_remat_keeps_fewer_records_and_bytes_on_the_tape():
    x_value = numpy.random.default_rng(1).standard_normal((256, 64)).astype("float32")
    w = kerasish.Variable(numpy.random.default_rng(2).standard_normal((64, 64)).astype("float32") / 8)
    x = Tensor(x_value)

    def deep(x):
        for _ in range(6):
            x = ops.relu(ops.matmul(x, w)) + x
        return x

    kept = {}
    gradients = {}
    for name, function in (("plain", deep), ("remat", kerasish.remat(deep))):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            loss = ops.sum(function(x) ** 2)
            kept[name] = (len(tape._records), _held_bytes(tape))
        gradients[name] = [numpy.asarray(g) for g in tape.gradient(loss, [x, w])]
    assert kept["remat"][0] < kept["plain"][0] / 4, kept
    assert kept["remat"][1] < kept["plain"][1] / 3, kept
    for a, b in zip(gradients["plain"], gradients["remat"]):
        numpy.testing.assert_allclose(b, a, rtol=1e-5)


def test_remat_second_derivative():
    x = Tensor(numpy.linspace(-1.0, 1.0, 7).astype("float64"))
    results = []
    for function in (ops.tanh, kerasish.remat(ops.tanh)):
        with kerasish.GradientTape() as outer:
            outer.watch(x)
            with kerasish.GradientTape() as inner:
                inner.watch(x)
                y = ops.sum(function(x) ** 3)
            first = inner.gradient(y, x)
            total = ops.sum(first)
        results.append((numpy.asarray(first), numpy.asarray(outer.gradient(total, x))))
    numpy.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    numpy.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12)


def test_remat_applies_assignments_once_and_recomputes_with_the_same_random_state(engine):
    x_value, _ = _data(3)
    counter = kerasish.Variable(0.0)
    seed = kerasish.random.SeedGenerator(7)

    def noisy(x):
        counter.assign_add(1.0)
        return kerasish.random.dropout(x, 0.5, seed=seed) * 3.0

    def step_with(function):
        def step(x):
            with kerasish.GradientTape() as tape:
                tape.watch(x)
                y = function(x)
                loss = ops.sum(y * x)
            return [y, tape.gradient(loss, x)]

        return step

    start = numpy.asarray(seed.state.value).copy()
    plain = _run(engine, step_with(noisy), x_value)
    after_plain = numpy.asarray(seed.state.value).copy()
    seed.state.assign(start)
    rematerialized = _run(engine, step_with(kerasish.remat(noisy)), x_value)
    numpy.testing.assert_array_equal(numpy.asarray(seed.state.value), after_plain)
    assert float(numpy.asarray(counter.value)) == 2.0  # once per run: the recomputation assigns nothing
    for a, b in zip(plain, rematerialized):
        numpy.testing.assert_allclose(b, a, rtol=1e-6)
    # the gradient is the mask the forward used (y / x where kept), so the recomputation drew the same one
    numpy.testing.assert_allclose(rematerialized[1], 2 * rematerialized[0], rtol=1e-6, atol=1e-6)


def test_remat_on_symbolic_tensors_builds_the_graph():
    inputs = kerasish.Input((4,))
    outputs = kerasish.remat(lambda t: ops.relu(t) * 2.0)(inputs)
    model = kerasish.Model(inputs, outputs)
    x = numpy.array([[-1.0, 0.5, 2.0, -3.0]], "float32")
    numpy.testing.assert_allclose(numpy.asarray(model(x)), numpy.maximum(x, 0) * 2.0)


# ----- RematScope -------------------------------------------------------------------------------


def test_remat_scope_validates_the_mode():
    with pytest.raises(ValueError, match="Invalid mode 'everything'. Supported modes are: 'full'"):
        kerasish.RematScope(mode="everything")


def test_remat_scope_nests_and_layers_remember_the_scope_they_were_made_in():
    assert get_current_remat_mode() is None
    with kerasish.RematScope(mode="full"):
        outer = layers.Dense(2)
        with kerasish.RematScope(mode="larger_than", output_size_threshold=512):
            inner = layers.Dense(2)
            assert get_current_remat_mode() == RematMode("larger_than", 512, [])
        after = layers.Dense(2)
    plain = layers.Dense(2)
    assert outer._remat_mode == RematMode("full", 1024, [])
    assert inner._remat_mode.mode == "larger_than"
    assert after._remat_mode.mode == "full"
    assert plain._remat_mode is None and get_current_remat_mode() is None


def _model(mode, **scope_arguments):
    with kerasish.RematScope(mode=mode, **scope_arguments):
        return kerasish.Sequential(
            [
                kerasish.Input((8,)),
                layers.Dense(32, activation="tanh", name="wide"),
                layers.BatchNormalization(name="norm"),
                layers.Dropout(0.5, seed=4, name="drop"),
                layers.Dense(3, activation="relu", name="narrow"),
            ]
        )


SCOPES = [
    ("full", {}),
    ("activations", {}),
    ("list_of_layers", {"layer_names": ["wide", "drop"]}),
    ("larger_than", {"output_size_threshold": 100}),
    (None, {}),
]


@pytest.mark.parametrize("mode, scope_arguments", SCOPES, ids=[str(m) for m, _ in SCOPES])
def test_remat_scope_training_step_matches_the_plain_model(engine, mode, scope_arguments):
    x_value = numpy.random.default_rng(5).standard_normal((6, 8)).astype("float32")
    reference, model = _model(None), _model(mode, **scope_arguments)
    model.set_weights(reference.get_weights())

    def step_of(network):
        def step(x):
            with kerasish.GradientTape() as tape:
                y = network(x, training=True)
                loss = ops.sum(y * ops.arange(1, 4, dtype="float32"))
            return [y, *tape.gradient(loss, network.trainable_variables)]

        return step

    expected = _run(engine, step_of(reference), x_value)
    got = _run(engine, step_of(model), x_value)
    for a, b in zip(expected, got):
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    for a, b in zip(reference.non_trainable_variables, model.non_trainable_variables):
        numpy.testing.assert_allclose(numpy.asarray(b), numpy.asarray(a), rtol=1e-6)  # moving stats once


@pytest.mark.parametrize(
    "mode, scope_arguments, expected",
    [
        ("full", {}, 1),  # the whole model is one node
        ("list_of_layers", {"layer_names": ["wide"]}, 1),  # its call is one node instead of matmul, add, tanh
        ("larger_than", {"output_size_threshold": 100}, 0),
        ("activations", {}, 0),
    ],
)
def test_remat_scope_modes_choose_what_the_tape_records(mode, scope_arguments, expected):
    x = Tensor(numpy.random.default_rng(6).standard_normal((6, 8)).astype("float32"))
    counts = {}
    for name, model in (("plain", _model(None)), ("remat", _model(mode, **scope_arguments))):
        with kerasish.GradientTape() as tape:
            model(x, training=True)
            counts[name] = [record.primitive.name.startswith("remat_") for record in tape._records]
    assert sum(counts["plain"]) == 0
    nodes = sum(counts["remat"])
    if mode == "larger_than":  # the 6x32 outputs (192 elements) of wide, norm and drop; not narrow's 6x3
        assert nodes == 3
    elif mode == "activations":  # tanh and relu
        assert nodes == 2
    else:
        assert nodes == expected
    assert len(counts["remat"]) < len(counts["plain"]) or mode == "activations"


def test_remat_scope_error_wording_matches_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError) as theirs:
        keras.RematScope(mode="everything")
    with pytest.raises(ValueError) as ours:
        kerasish.RematScope(mode="everything")
    assert str(ours.value) == str(theirs.value)
    assert keras.RematScope().__dict__.keys() >= kerasish.RematScope().__dict__.keys()


class _Scale(kerasish.Operation):
    def call(self, x):
        return ops.exp(x) * 2.0


def test_an_operation_made_in_a_full_scope_is_rematerialized():
    with kerasish.RematScope():
        scale = _Scale()
    x = Tensor(numpy.linspace(-1.0, 1.0, 4).astype("float32"))
    with kerasish.GradientTape() as tape:
        tape.watch(x)
        y = ops.sum(scale(x))
        names = [record.primitive.name for record in tape._records]
    assert names == ["remat_call", "sum"]
    numpy.testing.assert_allclose(numpy.asarray(tape.gradient(y, x)), 2 * numpy.exp(numpy.asarray(x)), rtol=1e-6)


def test_fit_in_a_remat_scope_trains_as_without_it(engine):
    rng = numpy.random.default_rng(7)
    x, y = rng.standard_normal((16, 8)).astype("float32"), rng.standard_normal((16, 3)).astype("float32")
    reference, model = _model(None), _model("full")
    model.set_weights(reference.get_weights())
    histories = []
    for network in (reference, model):
        network.compile(optimizer="sgd", loss="mse", backend=engine)
        histories.append(network.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"])
    numpy.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    for a, b in zip(reference.weights, model.weights):
        numpy.testing.assert_allclose(numpy.asarray(b), numpy.asarray(a), rtol=1e-5, atol=1e-6)


def test_gradients_reach_tensors_the_function_reads_from_its_closure_and_keywords():
    x = Tensor(numpy.array([0.5, -1.0, 2.0], "float32"))
    results = []
    for wrap in (lambda f: f, kerasish.remat):
        with kerasish.GradientTape() as tape:
            tape.watch(x)
            closed = ops.square(x)
            y = ops.sum(wrap(lambda a, scale=None: ops.sin(a * closed) * scale)(x, scale=x + 1.0))
        results.append(numpy.asarray(tape.gradient(y, x)))
    numpy.testing.assert_allclose(results[1], results[0], rtol=1e-6)


def test_a_persistent_tape_asks_twice_for_different_sources():
    x_value, w_value = _data(8)
    w = kerasish.Variable(w_value)
    x = Tensor(x_value)
    results = []
    for block in (_block(w), kerasish.remat(_block(w))):
        with kerasish.GradientTape(persistent=True) as tape:
            tape.watch(x)
            outputs = block(x)
            main, side = ops.sum(outputs["main"]), ops.sum(outputs["side"][1])
            total = main + side
        results.append(
            [numpy.asarray(tape.gradient(main, x)), numpy.asarray(tape.gradient(side, w))]
            + [numpy.asarray(g) for g in tape.gradient(total, [x, w])]
        )
    for a, b in zip(*results):
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


class _Penalised(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4), initializer="ones")

    def call(self, x):
        h = ops.tanh(ops.matmul(x, self.w))
        self.add_loss(ops.sum(h**2) * 0.1)
        return h


def test_losses_added_inside_a_rematerialized_call_reach_their_layers_with_gradients(engine):
    x_value = numpy.random.default_rng(9).standard_normal((3, 5)).astype("float32")

    def network(mode):
        with kerasish.RematScope(mode=mode):
            return kerasish.Sequential(
                [kerasish.Input((5,)), _Penalised(), layers.Dense(2, activity_regularizer="l2", name="out")]
            )

    reference, model = network(None), network("full")
    model.set_weights(reference.get_weights())

    def step_of(net):
        def step(x):
            with kerasish.GradientTape() as tape:
                y = net(x)
                losses = net.losses
                total = ops.sum(y) + ops.sum(ops.stack(losses))
            return [ops.stack(losses), *tape.gradient(total, net.trainable_variables)]

        return step

    expected, got = _run(engine, step_of(reference), x_value), _run(engine, step_of(model), x_value)
    assert expected[0].shape == (2,)
    for a, b in zip(expected, got):
        numpy.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
