"""Hashing and HashedCrossing: Keras's bins (the values keras's own tests assert), output modes and
shapes, config round trip, bad arguments, and use in a model (on the host, before the engine) and in a
numpy pipeline."""

import numpy
import pytest

import kerasish as keras
from kerasish import layers
from tests.layers.layer_checks import check_config_round_trip

WORDS = numpy.asarray([["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]])


def test_bins_as_keras():
    assert numpy.asarray(layers.Hashing(num_bins=3)(numpy.asarray([["A"], ["B"], ["C"], ["D"], ["E"]]))).tolist() == [
        [1],
        [0],
        [1],
        [1],
        [2],
    ]
    assert numpy.asarray(layers.Hashing(num_bins=3, mask_value="omar")(WORDS)).ravel().tolist() == [0, 1, 2, 1, 1]
    assert numpy.asarray(layers.Hashing(num_bins=3, salt=[133, 137])(numpy.arange(5)[:, None])).ravel().tolist() == [
        1,
        1,
        2,
        0,
        1,
    ]
    assert numpy.asarray(layers.Hashing(num_bins=3, salt=133)(numpy.asarray(list("ABCDE")))).tolist() == [0, 0, 2, 1, 0]
    floats = numpy.asarray([0.0, 1.9, 2.2, 3.7, 4.0])  # truncated to integers, as tf.cast does
    assert numpy.asarray(layers.Hashing(num_bins=3)(floats)).tolist() == [1, 0, 1, 0, 2]


@pytest.mark.parametrize(
    "mode, shape",
    [("int", (5, 1)), ("one_hot", (5, 4)), ("multi_hot", (5, 4)), ("count", (5, 4))],
)
def test_output_modes_and_shapes(mode, shape):
    layer = layers.Hashing(num_bins=4, output_mode=mode)
    output = numpy.asarray(layer(WORDS))
    assert output.shape == shape
    if mode != "int":
        assert output.sum(axis=-1).tolist() == [1.0] * 5
    assert layer.compute_output_shape((None, 1))[1:] == shape[1:]
    check_config_round_trip(layer, WORDS)


def test_bad_arguments():
    with pytest.raises(ValueError, match="`num_bins` for `Hashing` cannot be `None` or non-positive"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="`salt` argument for `Hashing` can only be a tuple of size 2"):
        layers.Hashing(num_bins=2, salt="string")
    with pytest.raises(ValueError, match="output_mode.*'bins'"):
        layers.Hashing(num_bins=2, output_mode="bins")
    with pytest.raises(ValueError, match="should be an integer type"):
        layers.Hashing(num_bins=2, dtype="float32")


def test_hashed_crossing():
    layer = layers.HashedCrossing(num_bins=5)
    output = layer((numpy.asarray(list("ABABA")), numpy.asarray([101, 101, 101, 102, 102])))
    assert numpy.asarray(output).tolist() == [1, 4, 1, 1, 3]
    one_hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    crossed = numpy.asarray(one_hot((numpy.asarray(list("AB"))[:, None], numpy.asarray([[101], [102]]))))
    assert crossed.shape == (2, 5)
    assert one_hot.compute_output_shape(((None, 1), (None, 1))) == (None, 5)
    check_config_round_trip(layer, (numpy.asarray(list("AB")), numpy.asarray([1, 2])))
    with pytest.raises(ValueError, match="at least two inputs"):
        layer([numpy.asarray([1])])
    with pytest.raises(ValueError, match="should have equal shape"):
        layer((numpy.asarray([1, 2]), numpy.asarray([1])))
    with pytest.raises(ValueError, match="integer or string dtype"):
        layer((numpy.asarray([1.0]), numpy.asarray([1.0])))


def test_hashing_leads_a_model_on_both_engines(engine):
    hashing = layers.Hashing(num_bins=8)
    model = keras.Sequential(
        [keras.Input(shape=(1,), dtype="string"), hashing, layers.Embedding(8, 2), layers.Flatten(), layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    model.fit(WORDS, numpy.ones((5, 1), "float32"), epochs=1, verbose=0)
    numpy.testing.assert_allclose(model.predict(WORDS, verbose=0), numpy.asarray(model(WORDS)), rtol=1e-6)


def test_hashing_in_a_numpy_pipeline():
    hashing = layers.Hashing(num_bins=8, output_mode="one_hot")
    loader = keras.data.DataLoader([(WORDS[:3], numpy.ones(3)), (WORDS[3:], numpy.zeros(2))], batch_size=None)
    encoded = [numpy.asarray(hashing(x)) for x, _ in loader]
    assert [e.shape for e in encoded] == [(3, 8), (2, 8)]
