"""MultiHeadAttention, GroupQueryAttention, Attention, AdditiveAttention and EinsumDense: output shapes and
compute_output_shape, config round trips, `.keras` files, float64 gradients against finite differences on
both engines, Keras masks, dropout, and the errors for bad arguments and masks."""

import numpy
import pytest

import kerasish
from kerasish import layers, ops
from kerasish.backends.dynamic import Tensor
from kerasish.layers.layer import get_mask
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

QUERY, VALUE, KEY = random_inputs((2, 4, 6)), random_inputs((2, 5, 6), seed=1), random_inputs((2, 5, 3), seed=2)


def as_float32(*arrays):
    return [a.astype("float32") for a in arrays]


# ----- shapes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments, inputs, expected, scores",
    [
        (dict(num_heads=2, key_dim=3), (QUERY, VALUE), (2, 4, 6), (2, 2, 4, 5)),
        (dict(num_heads=2, key_dim=3, value_dim=5, output_shape=(3, 2)), (QUERY, VALUE, KEY), (2, 4, 3, 2), None),
        (dict(num_heads=3, key_dim=2, output_shape=7), (QUERY, VALUE), (2, 4, 7), (2, 3, 4, 5)),
    ],
)
def test_multi_head_attention_shapes(arguments, inputs, expected, scores):
    layer = layers.MultiHeadAttention(**arguments)
    output = layer(*as_float32(*inputs))
    assert tuple(output.shape) == expected
    assert layer.compute_output_shape(*[x.shape for x in inputs]) == expected
    if scores is not None:
        output, attention = layer(*as_float32(*inputs), return_attention_scores=True)
        assert tuple(attention.shape) == scores


def test_multi_head_attention_over_two_axes_has_scores_per_position_pair():
    grid = random_inputs((2, 3, 4, 5), dtype="float32")
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2))
    output, scores = layer(grid, grid, return_attention_scores=True)
    assert tuple(output.shape) == (2, 3, 4, 5)
    assert tuple(scores.shape) == (2, 2, 3, 4, 3, 4)
    numpy.testing.assert_allclose(scores.numpy().reshape(2, 2, 12, 12).sum(-1), 1.0, rtol=1e-5)


def test_functional_shapes_with_returned_scores():
    query, value = kerasish.Input((4, 6)), kerasish.Input((5, 6))
    output, scores = layers.MultiHeadAttention(num_heads=2, key_dim=3)(query, value, return_attention_scores=True)
    assert tuple(output.shape) == (None, 4, 6) and tuple(scores.shape) == (None, 2, 4, 5)
    output, scores = layers.GroupQueryAttention(4, 4, 2)(query, value, return_attention_scores=True)
    assert tuple(output.shape) == (None, 4, 6) and tuple(scores.shape) == (None, 4, 4, 5)
    output, scores = layers.Attention()([query, value], return_attention_scores=True)
    assert tuple(output.shape) == (None, 4, 6) and tuple(scores.shape) == (None, 4, 5)


def test_grouped_query_attention_shapes():
    layer = layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    output, scores = layer(*as_float32(QUERY, VALUE), return_attention_scores=True)
    assert tuple(output.shape) == (2, 4, 6) and tuple(scores.shape) == (2, 4, 4, 5)
    assert layer.compute_output_shape(QUERY.shape, VALUE.shape) == QUERY.shape
    assert [w.shape for w in layer.get_weights()][:4] == [(6, 4, 3), (4, 3), (6, 2, 3), (2, 3)]


@pytest.mark.parametrize(
    "layer, inputs, expected",
    [
        (layers.Attention(), [QUERY, VALUE], (2, 4, 6)),
        (layers.Attention(score_mode="concat", use_scale=True), [QUERY, VALUE, VALUE], (2, 4, 6)),
        (layers.AdditiveAttention(), [QUERY, VALUE], (2, 4, 6)),
        (layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de"), QUERY, (2, 4, 2, 3)),
        (layers.EinsumDense("...b,bc->...c", output_shape=5), QUERY, (2, 4, 5)),
        (layers.EinsumDense("ab...,bc->ac...", output_shape=(3,), bias_axes="c"), QUERY, (2, 3, 6)),
    ],
)
def test_single_argument_layers_shapes_config_and_gradients(layer, inputs, expected, engine):
    check_shapes(layer, inputs, expected)
    check_config_round_trip(layer, inputs)
    check_gradients(_float64(layer), inputs, engine)


def _float64(layer):
    config = serialize_layer(layer)
    config["config"]["dtype"] = "float64"
    return deserialize_layer(config)


def test_einsum_dense_kernel_fans_follow_the_equation():
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 8, 16), kernel_initializer="glorot_uniform")
    layer.build((None, 5, 32))
    limit = numpy.sqrt(6 / (32 + 8 * 16))
    kernel = layer.kernel.numpy()
    assert kernel.shape == (32, 8, 16)
    assert numpy.abs(kernel).max() <= limit and numpy.abs(kernel).max() > 0.9 * limit


# ----- configs, files, gradients ------------------------------------------------------------------


def attention_layers():
    return [
        layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2, dropout=0.1, output_shape=(5,), seed=3),
        layers.MultiHeadAttention(num_heads=2, key_dim=3, use_bias=False, kernel_regularizer="l2"),
        layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2, use_bias=False),
    ]


@pytest.mark.parametrize("index", range(3))
def test_attention_config_round_trip(index):
    layer = attention_layers()[index]
    query, value = as_float32(QUERY, VALUE)
    layer(query, value)
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()
    clone(query, value)
    clone.set_weights(layer.get_weights())
    numpy.testing.assert_allclose(clone(query, value).numpy(), layer(query, value).numpy(), rtol=1e-6)


@pytest.mark.parametrize("index", range(3))
def test_attention_keras_file_round_trip(index, tmp_path):
    layer = attention_layers()[index]
    query, value = kerasish.Input((4, 6)), kerasish.Input((5, 6))
    model = kerasish.Model([query, value], layer(query, value, use_causal_mask=index == 1))
    inputs = as_float32(QUERY, VALUE)
    expected = model.predict(inputs, verbose=0)
    path = str(tmp_path / "attention.keras")
    model.save(path)
    loaded = kerasish.saving.load_model(path)
    assert loaded.get_layer(layer.name).get_config() == layer.get_config()
    numpy.testing.assert_allclose(loaded.predict(inputs, verbose=0), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "layer, inputs",
    [
        (layers.Attention(use_scale=True), [QUERY, VALUE]),
        (layers.AdditiveAttention(), [QUERY, VALUE, VALUE]),
        (layers.EinsumDense("abc,cd->abd", output_shape=(None, 3), bias_axes="d"), QUERY),
    ],
)
def test_single_argument_layers_keras_file_round_trip(layer, inputs, tmp_path):
    check_keras_file_round_trip(
        layer, [x.astype("float32") for x in inputs] if isinstance(inputs, list) else inputs.astype("float32"), tmp_path
    )


def _directional_check(apply, arrays, variables, engine, eps=1e-6, rtol=1e-6):
    rng = numpy.random.default_rng(1)
    direction = rng.standard_normal(tuple(apply(*arrays).shape))

    def loss_and_gradients(*xs):
        with kerasish.GradientTape() as tape:
            tape.watch(list(xs))
            loss = ops.sum(ops.multiply(apply(*xs), direction))
        return loss, tape.gradient(loss, list(xs) + variables)

    if engine == "static":
        _, grads = kerasish.function(loss_and_gradients, engine="static")(*arrays)
    else:
        _, grads = loss_and_gradients(*[Tensor(a) for a in arrays])
    steps = [rng.standard_normal(numpy.shape(a)) for a in arrays] + [rng.standard_normal(v.shape) for v in variables]
    analytic = sum(float(numpy.sum(numpy.asarray(g) * s)) for g, s in zip(grads, steps))
    originals = [v.numpy() for v in variables]

    def shifted(sign):
        for v, value, s in zip(variables, originals, steps[len(arrays) :]):
            v.assign(value + sign * eps * s)
        moved = [a + sign * eps * s for a, s in zip(arrays, steps)]
        return float(numpy.sum(numpy.asarray(apply(*moved)) * direction))

    numeric = (shifted(1) - shifted(-1)) / (2 * eps)
    for v, value in zip(variables, originals):
        v.assign(value)
    assert abs(analytic - numeric) <= rtol * max(1.0, abs(numeric)), (analytic, numeric)


MASK = numpy.random.default_rng(4).random((2, 4, 5)) > 0.3


@pytest.mark.parametrize(
    "make, call",
    [
        (lambda: layers.MultiHeadAttention(2, 3, dtype="float64"), dict(attention_mask=MASK)),
        (
            lambda: layers.MultiHeadAttention(2, 3, dtype="float64"),
            dict(return_attention_scores=False, use_causal_mask=True),
        ),
        (lambda: layers.MultiHeadAttention(2, 3, value_dim=4, dtype="float64"), dict(attention_mask=MASK[:, :1])),
        (lambda: layers.GroupQueryAttention(3, 4, 2, dtype="float64"), dict(attention_mask=MASK)),
    ],
)
def test_attention_gradients_match_finite_differences(make, call, engine):
    layer = make()
    query, value = QUERY, VALUE if "use_causal_mask" not in call else QUERY
    layer(query, value, **call)
    _directional_check(lambda q, v: layer(q, v, **call), [query, value], layer.trainable_weights, engine)


# ----- masks and dropout --------------------------------------------------------------------------


def test_keras_masks_of_the_inputs_make_the_attention_mask(engine):
    tokens = numpy.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0]])
    embedding = layers.Embedding(8, 6, mask_zero=True)
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=3)

    def masked(x):
        embedded = embedding(x)
        return attention(embedded, embedded)

    def explicit(x):
        embedded = embedding(x)
        present = ops.not_equal(x, 0)
        mask = ops.logical_and(ops.expand_dims(present, -1), ops.expand_dims(present, -2))
        return attention(embedded, embedded, attention_mask=mask)

    run = kerasish.function(engine=engine)
    numpy.testing.assert_allclose(
        numpy.asarray(run(masked)(tokens)), numpy.asarray(run(explicit)(tokens)), rtol=1e-6, atol=1e-6
    )
    output = masked(Tensor(tokens))
    numpy.testing.assert_array_equal(numpy.asarray(get_mask(output)), tokens != 0)


def test_attention_layer_propagates_the_query_mask_and_zeroes_padded_queries():
    tokens = numpy.array([[3, 5, 0], [4, 0, 0]])
    embedded = layers.Embedding(8, 4, mask_zero=True)(Tensor(tokens))
    output = layers.Attention()([embedded, embedded])
    numpy.testing.assert_array_equal(numpy.asarray(get_mask(output)), tokens != 0)
    assert numpy.all(output.numpy()[tokens == 0] == 0)


def test_dropout_only_in_training_and_the_same_draws_on_both_engines():
    query, value = as_float32(QUERY, VALUE)
    first, second = (layers.MultiHeadAttention(2, 3, dropout=0.5, seed=7) for _ in range(2))
    first(query, value)
    second(query, value)
    second.set_weights(first.get_weights())
    inference = first(query, value).numpy()
    numpy.testing.assert_allclose(first(query, value, training=False).numpy(), inference)
    dynamic = first(query, value, training=True).numpy()
    static = kerasish.function(lambda q, v: second(q, v, training=True), engine="static")(query, value)
    assert not numpy.allclose(dynamic, inference)
    numpy.testing.assert_allclose(numpy.asarray(static), dynamic, rtol=1e-6, atol=1e-6)


# ----- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=0), "key_dim=0"),
        (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=-3), "key_dim=-3"),
        (lambda: layers.MultiHeadAttention(num_heads=0, key_dim=2), "num_heads=0"),
        (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=0), "value_dim=0"),
        (lambda: layers.MultiHeadAttention(2, 2, dropout=0.5, flash_attention=True), "Dropout is not supported"),
        (lambda: layers.MultiHeadAttention(2, 2, attention_axes="x"), "attention_axes=x"),
        (lambda: layers.GroupQueryAttention(2, 4, 3), "num_key_value_heads=3"),
        (lambda: layers.GroupQueryAttention(0, 4, 2), "head_dim=0"),
        (lambda: layers.Attention(score_mode="sum"), "score_mode=sum"),
        (lambda: layers.EinsumDense("ab,bc", output_shape=3), "Invalid einsum equation 'ab,bc'"),
    ],
)
def test_bad_arguments_are_quoted(make, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        make()


def test_a_wrong_attention_mask_names_both_shapes():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4, 5\)") as error:
        layer(*as_float32(QUERY, VALUE), attention_mask=numpy.ones((2, 3), bool))
    assert "MultiHeadAttention 'multi_head_attention'" in str(error.value)
    with pytest.raises(ValueError, match=r"\(2, 4, 4\).*\(2, 4, 5\)"):
        layers.GroupQueryAttention(3, 2, 1)(*as_float32(QUERY, VALUE), attention_mask=numpy.ones((2, 4, 4), bool))
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(2, 4, 5\)"):
        layers.Attention()(as_float32(QUERY, VALUE), mask=[None, numpy.ones((2, 4), bool)])


def test_flash_attention_and_returned_scores_are_refused():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, flash_attention=True)
    with pytest.raises(ValueError, match="Returning attention scores is not supported"):
        layer(*as_float32(QUERY, VALUE), return_attention_scores=True)
    with pytest.raises(ValueError, match="Flash attention is not supported"):
        layer(*as_float32(QUERY, VALUE))


def test_einsum_dense_shape_mismatch_is_keras_error():
    with pytest.raises(ValueError, match="Input shape and output shape do not match at shared dimension 'b'"):
        layers.EinsumDense("abc,cd->abd", output_shape=(3, 4)).build((None, 5, 6))
    with pytest.raises(ValueError, match="Bias dimension 'x' was requested"):
        layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="x").build((None, 5, 6))


def test_an_attention_mask_may_carry_the_heads_axis():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    query, value = as_float32(QUERY, VALUE)
    expected = layer(query, value, attention_mask=MASK).numpy()
    numpy.testing.assert_allclose(layer(query, value, attention_mask=MASK[:, None]).numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"\(2, 3, 4, 5\).*\(2, 2, 4, 5\)"):
        layer(query, value, attention_mask=numpy.ones((2, 3, 4, 5), bool))
