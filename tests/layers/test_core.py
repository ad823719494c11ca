import numpy
import pytest

from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs


def test_dense_shapes_config_and_gradients(engine):
    layer = layers.Dense(3, activation="tanh", dtype="float64")
    x = random_inputs((4, 5))
    check_shapes(layer, x, (4, 3))
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_dense_matches_numpy():
    layer = layers.Dense(2, use_bias=True, bias_initializer="ones")
    x = random_inputs((3, 4), dtype="float32")
    y = layer(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.numpy(), x @ layer.kernel.numpy() + 1, rtol=1e-6)


def test_dense_on_rank_3_inputs():
    check_shapes(layers.Dense(6), random_inputs((2, 3, 4), dtype="float32"), (2, 3, 6))


def test_dense_rejects_bad_units_and_wrong_input_dim():
    with pytest.raises(ValueError, match="Received: units=-1"):
        layers.Dense(-1)
    layer = layers.Dense(2, name="dense_probe")
    layer(random_inputs((2, 784), dtype="float32"))
    with pytest.raises(ValueError, match=r"Dense 'dense_probe'.*784.*\(32, 100\)"):
        layer(random_inputs((32, 100), dtype="float32"))


def test_embedding_lookup_mask_and_gradient(engine):
    layer = layers.Embedding(10, 3, mask_zero=True, dtype="float64")
    ids = numpy.array([[1, 2, 0], [4, 0, 0]], dtype="int32")
    y = check_shapes(layer, ids, (2, 3, 3))
    numpy.testing.assert_array_equal(y.numpy()[0, 1], layer.embeddings.numpy()[2])
    numpy.testing.assert_array_equal(layer.compute_mask(ids, None).numpy(), ids != 0)
    check_config_round_trip(layer, ids)
    check_gradients(layer, ids, engine, differentiable_inputs=False)


def test_identity_and_lambda(engine):
    x = random_inputs((2, 3))
    check_shapes(layers.Identity(), x, (2, 3))
    from kerasish import ops

    layer = layers.Lambda(ops.square, dtype="float64")
    y = check_shapes(layer, x, (2, 3))
    numpy.testing.assert_allclose(y.numpy(), x**2)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_lambda_with_anonymous_function_needs_unsafe_mode():
    layer = layers.Lambda(lambda t: t * 2.0)
    config = layer.get_config()
    with pytest.raises(ValueError, match="safe mode"):
        layers.Lambda.from_config(config)
    clone = layers.Lambda.from_config(config, safe_mode=False)
    numpy.testing.assert_allclose(clone(numpy.ones((1, 2), "float32")).numpy(), 2.0)
