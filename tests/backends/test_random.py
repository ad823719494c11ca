"""kerasish.random: repeatable draws, SeedGenerator state on both engines, statistics, dropout gradient."""

import random as python_random

import numpy
import pytest

import kerasish
from kerasish import random
from kerasish.backends.dynamic import Tensor
from kerasish.backends.primitives import random as draws
from kerasish.utils import set_random_seed

DRAWS = {
    "normal": lambda seed: random.normal((3, 4), seed=seed),
    "uniform": lambda seed: random.uniform((3, 4), seed=seed),
    "truncated_normal": lambda seed: random.truncated_normal((3, 4), seed=seed),
    "randint": lambda seed: random.randint((3, 4), 0, 1000, seed=seed),
    "dropout": lambda seed: random.dropout(numpy.ones((3, 4), "float32"), 0.5, seed=seed),
    "shuffle": lambda seed: random.shuffle(numpy.arange(12.0, dtype="float32"), seed=seed),
    "categorical": lambda seed: random.categorical(numpy.zeros((3, 8), "float32"), 6, seed=seed),
    "gamma": lambda seed: random.gamma((3, 4), 2.0, seed=seed),
    "binomial": lambda seed: random.binomial((3, 4), 50, 0.5, seed=seed),
    "beta": lambda seed: random.beta((3, 4), 2.0, 3.0, seed=seed),
}


def _run(engine, step, *args):
    """Run `step` on the chosen engine: eagerly, or traced once and replayed by the static engine."""
    return kerasish.function(step, engine=engine)(*args)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_an_int_seed_repeats_its_draw_and_another_seed_does_not(name):
    first, again, other = (DRAWS[name](seed).numpy() for seed in (7, 7, 8))
    numpy.testing.assert_array_equal(first, again)
    assert not numpy.array_equal(first, other)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_a_seed_generator_gives_new_draws_and_restarts_from_its_seed(name):
    generator = random.SeedGenerator(3)
    first, second = DRAWS[name](generator).numpy(), DRAWS[name](generator).numpy()
    assert not numpy.array_equal(first, second)
    restarted = random.SeedGenerator(3)
    numpy.testing.assert_array_equal(DRAWS[name](restarted).numpy(), first)
    numpy.testing.assert_array_equal(DRAWS[name](restarted).numpy(), second)


def test_seed_generator_state_is_a_non_trainable_int_variable_advanced_by_one():
    generator = random.SeedGenerator(11)
    assert isinstance(generator.state, kerasish.Variable)
    assert not generator.state.trainable
    assert generator.state.dtype == numpy.uint32
    random.normal((2,), seed=generator)
    random.uniform((2,), seed=generator)
    numpy.testing.assert_array_equal(generator.state.numpy(), [11, 2])


def test_the_first_draw_of_a_seed_generator_equals_the_int_seed_draw():
    numpy.testing.assert_array_equal(
        random.normal((5,), seed=random.SeedGenerator(21)).numpy(), random.normal((5,), seed=21).numpy()
    )


def test_seed_generator_config_round_trips():
    generator = random.SeedGenerator(5, name="noise")
    assert generator.get_config() == {"seed": 5, "name": "noise"}
    numpy.testing.assert_array_equal(random.SeedGenerator.from_config(generator.get_config()).state.numpy(), [5, 0])


def test_the_static_engine_replays_new_draws_that_match_the_dynamic_engine():
    """The traced step advances the state as a graph update, so each replay draws new numbers."""

    def step(x):
        return random.dropout(x, 0.5, seed=generator), random.normal((4,), seed=generator)

    x = numpy.ones((3, 5), "float32")
    results = {}
    for engine in ("dynamic", "static"):
        generator = random.SeedGenerator(99)
        traced = kerasish.function(step, engine=engine)
        results[engine] = [[t.numpy() for t in traced(x)] for _ in range(3)]
        numpy.testing.assert_array_equal(generator.state.numpy(), [99, 6])
    for dynamic_step, static_step in zip(results["dynamic"], results["static"]):
        for dynamic_value, static_value in zip(dynamic_step, static_step):
            numpy.testing.assert_array_equal(dynamic_value, static_value)
    assert not numpy.array_equal(results["static"][0][1], results["static"][1][1])


def test_the_global_generator_draws_anew_on_every_replay(engine):
    set_random_seed(3)
    step = kerasish.function(lambda: random.normal((4,)), engine=engine)
    first, second = step().numpy(), step().numpy()
    assert not numpy.array_equal(first, second)
    set_random_seed(3)
    numpy.testing.assert_array_equal(random.normal((4,)).numpy(), first)


def test_a_fixed_int_seed_repeats_on_every_replay(engine):
    step = kerasish.function(lambda x: random.dropout(x, 0.3, seed=4), engine=engine)
    x = numpy.ones((2, 6), "float32")
    numpy.testing.assert_array_equal(step(x).numpy(), step(x).numpy())
    numpy.testing.assert_array_equal(step(x).numpy(), random.dropout(x, 0.3, seed=4).numpy())


@pytest.mark.parametrize(
    "wrap", [numpy.asarray, Tensor, lambda a: kerasish.Variable(a, dtype="uint32")], ids=["array", "tensor", "variable"]
)
def test_a_state_gives_the_same_numbers_as_array_tensor_or_variable(wrap):
    state = numpy.array([5, 9], dtype="uint32")
    expected = draws.random_draw(state, shape=(6,), dtype="float32", distribution="normal", parameters=()).numpy()
    result = draws.random_draw(wrap(state), shape=(6,), dtype="float32", distribution="normal", parameters=())
    numpy.testing.assert_array_equal(result.numpy(), expected)


def test_normal_and_uniform_statistics():
    values = random.normal((20000,), mean=2.0, stddev=3.0, seed=1).numpy()
    assert abs(values.mean() - 2.0) < 0.1 and abs(values.std() - 3.0) < 0.1
    values = random.uniform((20000,), minval=-2.0, maxval=4.0, seed=1).numpy()
    assert values.min() >= -2.0 and values.max() < 4.0
    assert abs(values.mean() - 1.0) < 0.1


def test_truncated_normal_stays_within_two_stddev_with_the_truncated_spread():
    values = random.truncated_normal((20000,), mean=1.0, stddev=0.5, seed=2).numpy()
    assert values.min() >= 0.0 and values.max() <= 2.0
    assert abs(values.std() - 0.5 * 0.8796) < 0.01  # std of N(0,1) truncated at ±2 is 0.8796
    assert values.std() > 0.4  # a clipped (not redrawn) normal piles up at the bounds instead


def test_gamma_binomial_and_beta_have_their_means():
    assert abs(random.gamma((20000,), 3.0, seed=1).numpy().mean() - 3.0) < 0.1
    assert abs(random.binomial((20000,), 20, 0.25, seed=1).numpy().mean() - 5.0) < 0.1
    assert abs(random.beta((20000,), 2.0, 6.0, seed=1).numpy().mean() - 0.25) < 0.01


def test_randint_covers_its_range_only():
    values = random.randint((5000,), -2, 3, seed=3).numpy()
    assert values.dtype == numpy.int32
    assert set(numpy.unique(values)) == {-2, -1, 0, 1, 2}


def test_categorical_follows_softmax_of_the_logits():
    probabilities = numpy.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]], "float32")
    samples = random.categorical(numpy.log(probabilities), 20000, seed=4).numpy()
    assert samples.shape == (2, 20000) and samples.dtype == numpy.int32
    for row, expected in zip(samples, probabilities):
        numpy.testing.assert_allclose(numpy.bincount(row, minlength=3) / 20000, expected, atol=0.015)


def test_shuffle_permutes_whole_slices_along_the_axis():
    x = numpy.arange(24.0, dtype="float32").reshape(4, 6)
    shuffled = random.shuffle(x, axis=1, seed=5).numpy()
    assert not numpy.array_equal(shuffled, x)
    order = (shuffled[0] - x[0, 0]).astype(int)
    numpy.testing.assert_array_equal(shuffled, x[:, order])
    assert sorted(order) == list(range(6))


def test_shuffle_passes_gradients_back_to_the_original_positions(engine):
    x = kerasish.Variable(numpy.arange(6.0, dtype="float32"))
    weights = numpy.arange(6.0, dtype="float32") * 10

    def step():
        with kerasish.GradientTape() as tape:
            shuffled = random.shuffle(x, seed=5)
            loss = kerasish.ops.sum(shuffled * weights)
        return shuffled, tape.gradient(loss, x)

    shuffled, grad = (t.numpy() for t in _run(engine, step))
    order = shuffled.astype(int)  # shuffled[i] = x[order[i]], so d loss / d x[order[i]] = weights[i]
    expected = numpy.zeros(6, "float32")
    expected[order] = weights
    assert not numpy.array_equal(order, numpy.arange(6))
    numpy.testing.assert_array_equal(grad, expected)


def test_draws_default_to_floatx_and_honour_dtype():
    assert random.normal((2,), seed=1).dtype == numpy.float32
    assert random.uniform((2,), dtype="float64", seed=1).dtype == numpy.float64
    assert random.truncated_normal((2,), dtype="float16", seed=1).dtype == numpy.float16


def test_dropout_keeps_the_expected_fraction_scaled_and_its_gradient_is_the_mask(engine):
    x = kerasish.Variable(numpy.full((200, 100), 3.0, "float32"))

    def step():
        with kerasish.GradientTape() as tape:
            y = random.dropout(x, 0.25, seed=6)
            loss = kerasish.ops.sum(y)
        return y, tape.gradient(loss, x)

    y, grad = (t.numpy() for t in _run(engine, step))
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.02
    numpy.testing.assert_allclose(y[kept], 3.0 / 0.75, rtol=1e-6)
    numpy.testing.assert_allclose(grad, kept / 0.75, rtol=1e-6)
    assert y.dtype == numpy.float32


def test_dropout_noise_shape_broadcasts_one_mask_over_the_none_dims():
    y = random.dropout(numpy.ones((6, 8), "float32"), 0.5, noise_shape=(1, None), seed=7).numpy()
    numpy.testing.assert_array_equal(y, numpy.broadcast_to(y[:1], (6, 8)))


def test_dropout_rates_zero_and_one():
    x = numpy.arange(6.0, dtype="float32")
    numpy.testing.assert_array_equal(kerasish.ops.add(random.dropout(x, 0.0, seed=1), 0.0).numpy(), x)
    numpy.testing.assert_array_equal(random.dropout(x, 1.0, seed=1).numpy(), numpy.zeros(6))


def test_set_random_seed_makes_the_global_generator_python_and_numpy_repeat():
    def draw_all():
        return (random.normal((4,)).numpy(), random.normal((4,)).numpy(), numpy.random.rand(3), python_random.random())

    set_random_seed(1337)
    first = draw_all()
    set_random_seed(1337)
    second = draw_all()
    for a, b in zip(first, second):
        numpy.testing.assert_array_equal(a, b)
    assert not numpy.array_equal(first[0], first[1])


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: random.normal((2,), seed="seven"),
            "Argument `seed` must be either an integer or an instance of `SeedGenerator`. Received: seed='seven'",
        ),
        (lambda: random.SeedGenerator(1.5), "SeedGenerator: argument `seed` must be an integer. Received: seed=1.5"),
        (lambda: random.SeedGenerator(1, foo=2), "SeedGenerator: unrecognized keyword arguments"),
        (lambda: random.dropout(numpy.ones(3), 1.5), "dropout: rate must be in [0, 1], got 1.5"),
        (
            lambda: random.dropout(numpy.ones((2, 3)), 0.5, noise_shape=(2,), seed=1),
            "dropout: noise_shape (2,) must have the rank of the input (input shape (2, 3))",
        ),
        (lambda: random.randint((2,), 5, 5), "randint: maxval must be greater than minval, got minval=5, maxval=5"),
        (lambda: random.normal((2, -1)), "normal: shape must be a tuple of non-negative integers, got (2, -1)"),
        (lambda: random.normal((2,), dtype="int32"), "normal: dtype must be a floating point type, got int32"),
        (
            lambda: random.categorical(numpy.zeros(4, "float32"), 2, seed=1),
            "categorical: logits must have shape (batch_size, num_classes), got (4,)",
        ),
        (
            lambda: random.shuffle(numpy.zeros((2, 3)), axis=2, seed=1),
            "shuffle: axis 2 is out of bounds for an input of shape (2, 3)",
        ),
        (
            lambda: draws.random_draw(
                numpy.zeros(3, "uint32"), shape=(2,), dtype="float32", distribution="normal", parameters=()
            ),
            "random_draw: the seed state must be an integer array of shape (2,), got shape (3,)",
        ),
        (
            lambda: draws.random_draw(
                numpy.zeros(2, "uint32"), shape=(2,), dtype="float32", distribution="pareto", parameters=(1.0,)
            ),
            "random_draw: unknown distribution 'pareto'; valid ones are: normal",
        ),
        (lambda: random.gamma((2,), 0.0), "gamma: alpha must be positive, got 0.0"),
        (lambda: random.binomial((2,), 5, 1.5), "binomial: counts must be >= 0 and probabilities in [0, 1]"),
        (lambda: random.beta((2,), 1.0, -1.0), "beta: alpha and beta must be positive, got alpha=1.0, beta=-1.0"),
        (lambda: set_random_seed("1"), "Expected `seed` argument to be an integer"),
    ],
)
def test_bad_arguments_name_the_function_and_the_values(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)
