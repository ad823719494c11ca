"""Engine agreement as a property: seeded random small programs over the public surface give the same
forward values, gradients and three optimizer steps on the dynamic engine (eager) and the static
engine (`kerasish.function(engine="static")`, `model.compile(backend="static")`).

A program is drawn from a seed by `program(seed)`:
- "ops": one to three primitive Cases (tests/backends/cases) whose float inputs are Variables, each
  output passed through a chain of up to three shape-agnostic ops (elementwise, reductions, softmax,
  reshapes: what fusion and the other passes rewrite) and optionally through `stop_gradient`, a custom
  `kerasish.Function`, `ops.custom_gradient`, `ops.cond`, `ops.while_loop` or `ops.scan`, plus an
  optional seeded random draw (normal, uniform, dropout). The step function computes a bounded scalar
  loss, its gradients with a GradientTape, assigns `v - lr * g / (1 + |g|)` to every Variable and counts
  its calls in a non-trainable Variable. It runs three times.
- "model": a random small Sequential (Dense, BatchNormalization, Dropout, LayerNormalization; Conv1D,
  LSTM, GRU, SimpleRNN on sequences or embedded tokens; Conv2D, pooling, DepthwiseConv2D on images)
  compiled with SGD, SGD with momentum, Adam or RMSprop and an MSE or cross-entropy loss, compared by
  `kerasish.utils.check_engines_agree` (forward, gradients, three steps; dropout and BN in training),
  then `predict` (inference) on both engines.

Tolerances: float64 programs rtol 1e-9 / atol 1e-10; float32 programs rtol 1e-4 / atol 1e-5.
`tools/engine_agreement.py --count N --seed S` runs the same generator for longer.
"""

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.variable import Variable

from .cases import all_cases

TOLERANCE = {"float64": dict(rtol=1e-9, atol=1e-10), "float32": dict(rtol=1e-4, atol=1e-5)}
# the Cases with float inputs and gradients (their integer inputs become arguments of the step)
CASES = [c for c in all_cases() if c.grad and any(a.dtype.kind == "f" for a in c.inputs)]
WRAPPERS = ("none", "stop_gradient", "function", "custom_gradient", "cond", "while_loop", "scan")
BUDGET = 400  # programs in the CI run: about 7 s of CPU here


class Disagreement(AssertionError):
    pass


# ----- wrappers around one case's output ------------------------------------------------------


class _StraightThroughTanh(kerasish.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ops.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1.0 - ops.tanh(x) ** 2) * 0.5


@ops.custom_gradient
def _scaled_identity(x):
    def grad_fn(upstream):
        return upstream * 3.0

    return x * 1.0, grad_fn


def _wrap(kind, y):
    if kind == "stop_gradient":
        return y + ops.stop_gradient(y) * 0.5
    if kind == "function":
        return _StraightThroughTanh.apply(y)
    if kind == "custom_gradient":
        return _scaled_identity(y)
    if kind == "cond":
        return ops.cond(ops.sum(y) > 0, lambda: y * 2.0, lambda: y - 1.0)
    if kind == "while_loop":
        return ops.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, ops.sin(a) + a * 0.5), (0, y))[1]
    if kind == "scan":
        flat = ops.reshape(y, (-1,))
        return ops.scan(lambda carry, x: (carry * 0.5 + x, carry * x), ops.zeros((), flat.dtype), flat)[1]
    return y


def _transform(kind, y):
    """One shape-agnostic op on a case's output: chains of them exercise fusion, CSE and simplification."""
    rank = len(y.shape)
    if kind in ("sum_last", "max_last", "softmax_last", "cumsum_last") and rank == 0:
        return y
    return {
        "tanh": lambda: ops.tanh(y),
        "sigmoid": lambda: ops.sigmoid(y),
        "square": lambda: ops.square(y),
        "relu": lambda: ops.relu(y + 0.1),
        "abs": lambda: ops.abs(y) + y,
        "softplus": lambda: ops.softplus(y),
        "bump": lambda: ops.exp(-y * y),
        "negate": lambda: -(-y) * 1.0 + 0.0,  # noqa: B002 (a double negation for simplification to remove)
        "wobble": lambda: y + 0.5 * ops.sin(y) * y,
        "scale_by_mean": lambda: y * ops.mean(y),
        "sum_last": lambda: ops.sum(y, axis=-1, keepdims=True),
        "max_last": lambda: ops.max(y, axis=-1),
        "softmax_last": lambda: ops.softmax(y, axis=-1),
        "cumsum_last": lambda: ops.cumsum(y, axis=-1),
        "transpose": lambda: ops.transpose(y),
        "flatten": lambda: ops.reshape(y, (-1,)),
        "expand": lambda: ops.expand_dims(y, 0),
        "clip": lambda: ops.clip(y, -0.5, 0.7),
    }[kind]()


TRANSFORMS = (
    "tanh",
    "sigmoid",
    "square",
    "relu",
    "abs",
    "softplus",
    "bump",
    "negate",
    "wobble",
    "scale_by_mean",
    "sum_last",
    "max_last",
    "softmax_last",
    "cumsum_last",
    "transpose",
    "flatten",
    "expand",
    "clip",
)


def _draw(kind, x, seed):
    """A seeded random draw shaped like `x` (dropout: of `x`)."""
    if kind == "dropout":
        return kerasish.random.dropout(x, 0.5, seed=seed)
    if kind == "uniform":
        return kerasish.random.uniform(x.shape, dtype=x.dtype, seed=seed)
    return kerasish.random.normal(x.shape, dtype=x.dtype, seed=seed)


RANDOM = ("normal", "uniform", "dropout")


# ----- programs -------------------------------------------------------------------------------


def program(seed):
    """The description of program `seed`: a dict of plain values (printable, reproducible)."""
    rng = numpy.random.default_rng(seed)
    dtype = "float64" if rng.random() < 0.5 else "float32"
    if rng.random() < 0.2:
        return _random_model(rng, seed)
    count = int(rng.integers(1, 4))
    return {
        "seed": seed,
        "kind": "ops",
        "dtype": dtype,
        "cases": [int(i) for i in rng.choice(len(CASES), count, replace=False)],
        "wrappers": [WRAPPERS[int(i)] for i in rng.integers(0, len(WRAPPERS), count)],
        "transforms": [
            [TRANSFORMS[int(i)] for i in rng.integers(0, len(TRANSFORMS), int(rng.integers(0, 4)))]
            for _ in range(count)
        ],
        "random": RANDOM[int(rng.integers(0, len(RANDOM)))] if rng.random() < 0.4 else None,
    }


def run(description):
    """Run a program on both engines; raise Disagreement naming what differs."""
    if description["kind"] == "model":
        return _run_model(description)
    return _run_ops(description)


def _ops_on(engine, description):
    dtype = description["dtype"]
    cases = [CASES[i] for i in description["cases"]]
    variables = [[Variable(a, dtype=dtype) if a.dtype.kind == "f" else None for a in case.inputs] for case in cases]
    fixed = [[a for a in case.inputs if a.dtype.kind != "f"] for case in cases]
    trainable = [v for group in variables for v in group if v is not None]
    calls = Variable(numpy.zeros((), dtype), trainable=False)

    def step(*constants):
        constants = list(constants)
        with kerasish.GradientTape() as tape:
            loss, outputs = 0.0, []
            for index, (case, group, wrapper, transforms) in enumerate(
                zip(cases, variables, description["wrappers"], description["transforms"])
            ):
                inputs = [v if v is not None else constants.pop(0) for v in group]
                y = ops.cast(case.op(*inputs), dtype)
                for transform in transforms:
                    y = _transform(transform, y)
                y = _wrap(wrapper, y)
                outputs.append(y)
                # bounded and well conditioned: cos of a large y would turn its rounding into noise
                squashed = ops.tanh(y)
                loss = loss + ops.sum(squashed * ops.cos(squashed + index))
            if description["random"]:
                noise = _draw(description["random"], trainable[0], description["seed"] % 1000)
                loss = loss + ops.sum(noise * ops.sin(trainable[0]))
        gradients = tape.gradient(loss, trainable, unconnected_gradients="zero")
        for v, g in zip(trainable, gradients):  # bounded steps: rounding differences are not amplified
            v.assign(v - 0.01 * g / (1.0 + ops.abs(g)))
        calls.assign(calls + 1.0)
        return [loss] + outputs + list(gradients)

    function = kerasish.function(step, engine=engine)
    arrays = [a for group in fixed for a in group]
    results = []
    for _ in range(3):
        results += [numpy.asarray(r) for r in function(*arrays)]
    return results + [v.numpy() for v in trainable] + [calls.numpy()]


def _run_ops(description):
    results = {engine: _ops_on(engine, description) for engine in ("dynamic", "static")}
    tolerance = TOLERANCE[description["dtype"]]
    for position, (a, b) in enumerate(zip(results["dynamic"], results["static"])):
        if a.shape != b.shape or not numpy.allclose(a, b, equal_nan=True, **tolerance):
            worst = numpy.max(numpy.abs(a.astype("float64") - b.astype("float64"))) if a.shape == b.shape else "shape"
            raise Disagreement(f"program {description}: result {position} differs (largest difference {worst})")


# layers by the input they take: a batch of vectors, of sequences (tokens become sequences through an
# Embedding) or of images; the common ones serve every kind
COMMON = ("dense", "dense_relu", "batch_norm", "dropout", "layer_norm")
LAYERS = {
    "flat": COMMON,
    "tokens": COMMON + ("conv1d", "lstm", "gru", "simple_rnn"),
    "sequence": COMMON + ("conv1d", "lstm", "gru", "simple_rnn"),
    "image": COMMON + ("conv2d", "max_pool", "average_pool", "depthwise_conv"),
}
INPUTS = {"flat": (4,), "tokens": (5,), "sequence": (5, 3), "image": (6, 6, 2)}
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
LOSSES = ("mse", "sparse_categorical_crossentropy", "categorical_crossentropy")


def _random_model(rng, seed):
    kind = tuple(INPUTS)[int(rng.integers(0, len(INPUTS)))]
    names = LAYERS[kind]
    return {
        "seed": seed,
        "kind": "model",
        "dtype": "float32",
        "input": kind,
        "layers": [names[int(i)] for i in rng.integers(0, len(names), int(rng.integers(1, 4)))],
        "optimizer": OPTIMIZERS[int(rng.integers(0, len(OPTIMIZERS)))],
        "loss": LOSSES[int(rng.integers(0, len(LOSSES)))],
    }


def _layer(name):
    return {
        "dense": lambda: layers.Dense(3),
        "dense_relu": lambda: layers.Dense(4, activation="relu"),
        "batch_norm": lambda: layers.BatchNormalization(),
        "dropout": lambda: layers.Dropout(0.3, seed=3),
        "layer_norm": lambda: layers.LayerNormalization(),
        "conv1d": lambda: layers.Conv1D(2, 2, padding="same"),
        "lstm": lambda: layers.LSTM(3, return_sequences=True),
        "gru": lambda: layers.GRU(3, return_sequences=True),
        "simple_rnn": lambda: layers.SimpleRNN(3, return_sequences=True),
        "conv2d": lambda: layers.Conv2D(3, 3, padding="same", activation="tanh"),
        "max_pool": lambda: layers.MaxPooling2D(2, padding="same"),
        "average_pool": lambda: layers.AveragePooling2D(2, strides=1),
        "depthwise_conv": lambda: layers.DepthwiseConv2D(2),
    }[name]()


def _build(description):
    kind = description["input"]
    stack = [layers.Input(INPUTS[kind], dtype="int32" if kind == "tokens" else None)]
    if kind == "tokens":
        stack.append(layers.Embedding(7, 3))
    stack += [_layer(name) for name in description["layers"]]
    if kind != "flat":
        stack.append(layers.Flatten())
    stack.append(layers.Dense(3))
    optimizer = {
        "sgd": lambda: kerasish.optimizers.SGD(0.05),
        "momentum": lambda: kerasish.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
        # a large epsilon: a gradient that vanishes in exact arithmetic (the bias of a layer before
        # BatchNormalization) is rounding noise, and Adam's g / sqrt(v) would step on its sign
        "adam": lambda: kerasish.optimizers.Adam(0.01, epsilon=0.1),
        "rmsprop": lambda: kerasish.optimizers.RMSprop(0.01, epsilon=0.1),
    }[description["optimizer"]]
    loss = description["loss"]
    if loss != "mse":
        loss = {
            "sparse_categorical_crossentropy": kerasish.losses.SparseCategoricalCrossentropy,
            "categorical_crossentropy": kerasish.losses.CategoricalCrossentropy,
        }[loss](from_logits=True)
    return kerasish.Sequential(stack), optimizer, loss


def _data(description):
    rng = numpy.random.default_rng(description["seed"])
    shape = (6,) + INPUTS[description["input"]]
    x = rng.integers(0, 7, shape) if description["input"] == "tokens" else rng.standard_normal(shape).astype("float32")
    if description["loss"] == "sparse_categorical_crossentropy":
        return x, rng.integers(0, 3, 6)
    if description["loss"] == "categorical_crossentropy":
        return x, numpy.eye(3, dtype="float32")[rng.integers(0, 3, 6)]
    return x, rng.standard_normal((6, 3)).astype("float32")


def _run_model(description):
    kerasish.utils.set_random_seed(description["seed"])
    model, optimizer, loss = _build(description)
    model.compile(optimizer=optimizer(), loss=loss)
    x, y = _data(description)
    report = kerasish.utils.check_engines_agree(model, x, y, steps=3, raise_error=False, **TOLERANCE["float32"])
    if not report["agree"]:
        raise Disagreement(f"program {description}: {report}")
    saved = model.get_weights()
    predictions = []
    for engine in ("dynamic", "static"):
        model.set_weights(saved)
        model.compile(optimizer=optimizer(), loss=loss, backend=engine)
        predictions.append(model.predict(x, verbose=0))
    if not numpy.allclose(*predictions, **TOLERANCE["float32"]):
        raise Disagreement(
            f"program {description}: predict differs "
            f"(largest difference {numpy.max(numpy.abs(predictions[0] - predictions[1]))})"
        )


# ----- disagreements the generator found, kept as regressions -------------------------------------


@pytest.mark.parametrize("engine", ["dynamic", "static"])
def test_an_activation_of_a_vector_dot_product_plus_a_bias(engine):
    """Program 321: matmul fusion wrote the bias into numpy's scalar result of a 1-D @ 1-D matmul."""
    a, b = numpy.array([1.0, -2.0, 0.5], "float32"), numpy.array([0.5, 0.25, 2.0], "float32")
    value = kerasish.function(lambda a, b: ops.relu(ops.matmul(a, b) + 0.1), engine=engine)(a, b)
    numpy.testing.assert_allclose(numpy.asarray(value), max(a @ b + 0.1, 0.0), rtol=1e-6)


def _seeds():
    """Every program in the full suite; the fast tier keeps every model and every fourth ops program, which
    still draw every wrapper, transform, random op, dtype, layer, optimizer and loss."""
    return [
        seed if seed % 4 == 0 or program(seed)["kind"] == "model" else pytest.param(seed, marks=pytest.mark.slow)
        for seed in range(BUDGET)
    ]


@pytest.mark.parametrize("seed", _seeds())
def test_engines_agree_on_random_programs(seed):
    run(program(seed))


def test_the_generator_covers_the_surface():
    drawn = [program(seed) for seed in range(BUDGET)]
    kinds = {d["kind"] for d in drawn}
    wrappers = {w for d in drawn if d["kind"] == "ops" for w in d["wrappers"]}
    assert kinds == {"ops", "model"} and wrappers == set(WRAPPERS)
    assert {t for d in drawn if d["kind"] == "ops" for chain in d["transforms"] for t in chain} == set(TRANSFORMS)
    assert {d["random"] for d in drawn if d["kind"] == "ops"} == set(RANDOM) | {None}
    assert {d["dtype"] for d in drawn} == {"float32", "float64"}
    models = [d for d in drawn if d["kind"] == "model"]
    assert {d["input"] for d in models} == set(INPUTS)
    assert {d["optimizer"] for d in models} == set(OPTIMIZERS) and {d["loss"] for d in models} == set(LOSSES)
    assert {name for d in models for name in d["layers"]} == {name for names in LAYERS.values() for name in names}
