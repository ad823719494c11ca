"""Masking, and masks carried through the layers that support them."""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.layers.layer import get_mask
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs


def _padded_sequences():
    x = random_inputs((3, 5, 2))
    x[0, 3:] = 0.0  # the last two steps of the first sequence are padding
    x[2, 1] = 0.0  # a masked step inside the third
    return x


def test_masking(engine, tmp_path):
    layer = layers.Masking(dtype="float64")
    x = _padded_sequences()
    y = check_shapes(layer, x, x.shape)
    numpy.testing.assert_array_equal(get_mask(y).numpy(), (x != 0).any(-1))
    check_config_round_trip(layer, x)
    check_gradients(layer, random_inputs(x.shape), engine)  # away from mask_value: it is a step there
    check_keras_file_round_trip(layer, x, tmp_path)


def test_masking_zeroes_the_masked_steps():
    x = random_inputs((2, 3, 2), dtype="float32")
    x[1, 2] = 7.0
    y = layers.Masking(mask_value=7.0)(x).numpy()
    numpy.testing.assert_array_equal(y[1, 2], 0)
    numpy.testing.assert_array_equal(y[0], x[0])


MASK_KEEPING = [
    lambda: layers.GaussianNoise(0.1),
    lambda: layers.GaussianDropout(0.1),
    lambda: layers.AlphaDropout(0.1),
    lambda: layers.SpatialDropout1D(0.1),
    lambda: layers.ActivityRegularization(l1=0.1),
    lambda: layers.PReLU(),
    lambda: layers.UnitNormalization(),
    lambda: layers.GroupNormalization(groups=2),
    lambda: layers.Dense(4),
]


@pytest.mark.parametrize("make", MASK_KEEPING)
def test_masks_pass_through_the_layers_that_support_them(make):
    x = _padded_sequences().astype("float32")
    y = make()(layers.Masking()(x))
    numpy.testing.assert_array_equal(get_mask(y).numpy(), (x != 0).any(-1))


def test_a_masked_lstm_skips_the_masked_steps(engine):
    """Masking -> GaussianNoise -> LSTM in a model gives, for the padded sequence, the LSTM's output on the
    unpadded part, on both engines."""
    kerasish.utils.set_random_seed(0)
    inputs = kerasish.Input((5, 2))
    lstm = layers.LSTM(3)
    model = kerasish.Model(inputs, lstm(layers.GaussianNoise(0.5)(layers.Masking()(inputs))))
    model.compile(backend=engine)
    x = _padded_sequences().astype("float32")
    got = model.predict(x, verbose=0)
    alone = layers.LSTM(3)
    alone(x[:1, :3])
    alone.set_weights(lstm.get_weights())
    numpy.testing.assert_allclose(got[0], alone(x[:1, :3]).numpy()[0], rtol=1e-5, atol=1e-6)
    assert not numpy.allclose(got[0], alone(x[:1]).numpy()[0])


class _Reversed(layers.Layer):
    """Runs a ReversibleEmbedding backwards, so the layer checks see the reverse call."""

    def __init__(self, embedding, **kwargs):
        super().__init__(**kwargs)
        self.embedding = embedding

    def call(self, inputs):
        return self.embedding(inputs, reverse=True)


@pytest.mark.parametrize("tie_weights", [True, False])
def test_reversible_embedding(tie_weights, engine, tmp_path):
    layer = layers.ReversibleEmbedding(7, 3, tie_weights=tie_weights, logit_soft_cap=2.0, dtype="float64")
    ids = numpy.array([[1, 2, 0], [3, 6, 5]])
    y = check_shapes(layer, ids, (2, 3, 3)).numpy()
    numpy.testing.assert_array_equal(y, layer.embeddings.numpy()[ids])
    hidden = random_inputs((2, 3, 3))
    kernel = layer.embeddings.numpy().T if tie_weights else layer.reverse_embeddings.numpy()
    logits = check_shapes(_Reversed(layer, dtype="float64"), hidden, (2, 3, 7)).numpy()
    numpy.testing.assert_allclose(logits, 2.0 * numpy.tanh(hidden @ kernel / 2.0), rtol=1e-10)
    assert [w.name for w in layer.weights] == ["embeddings"] + ([] if tie_weights else ["reverse_embeddings"])
    check_config_round_trip(layer, ids)
    if not tie_weights:
        layer.embeddings.trainable = False  # the reverse call reads only reverse_embeddings
    check_gradients(_Reversed(layer, dtype="float64"), hidden, engine)
    layer.embeddings.trainable = True
    check_keras_file_round_trip(layer, ids, tmp_path)


def test_reversible_embedding_in_a_functional_model_ties_input_and_output():
    ids = kerasish.Input((4,), dtype="int32")
    embedding = layers.ReversibleEmbedding(10, 3, mask_zero=True)
    hidden = embedding(ids)
    assert get_mask(hidden) is not None
    logits = embedding(layers.Dense(3)(hidden), reverse=True)
    assert tuple(logits.shape) == (None, 4, 10)
    model = kerasish.Model(ids, logits)
    assert model.predict(numpy.array([[1, 2, 3, 0]]), verbose=0).shape == (1, 4, 10)
    assert len(model.weights) == 3


def test_pipeline(engine, tmp_path):
    layer = layers.Pipeline(
        [layers.Dense(3, dtype="float64"), layers.Dropout(0.0, dtype="float64"), layers.Dense(2, dtype="float64")]
    )
    x = random_inputs((2, 4))
    check_shapes(layer, x, (2, 2))
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)
    assert [w.path.split("/", 1)[1] for w in layer.weights] == [
        "dense/kernel",
        "dense/bias",
        "dense_1/kernel",
        "dense_1/bias",
    ]


def test_pipeline_trains_its_layers_by_default_and_carries_masks():
    pipeline = layers.Pipeline([layers.Masking(), layers.Dropout(0.5, seed=1), layers.GaussianNoise(0.0)])
    x = numpy.ones((20, 4, 3), "float32")
    x[:, 0] = 0.0
    y = pipeline(x).numpy()
    assert (y[:, 1:] == 0).any() and set(numpy.unique(y)) <= {0.0, 2.0}
    numpy.testing.assert_array_equal(pipeline(x, training=False).numpy(), numpy.where(x != 0, x, 0))
    numpy.testing.assert_array_equal(get_mask(pipeline(x)).numpy(), (x != 0).any(-1))


def test_pipeline_errors():
    with pytest.raises(ValueError, match=r"layers=\['dense'\]"):
        layers.Pipeline(["dense"])
    with pytest.raises(ValueError, match="must contain a `layers` key"):
        layers.Pipeline.from_config({"name": "p"})


def test_pipeline_passes_an_explicit_mask_to_its_first_layer():
    x = random_inputs((2, 3, 4), dtype="float32")
    mask = numpy.array([[True, False, True], [True, True, False]])
    y = layers.Pipeline([layers.Dense(2), layers.Dropout(0.1)])(x, training=False, mask=mask)
    numpy.testing.assert_array_equal(numpy.asarray(get_mask(y)), mask)
