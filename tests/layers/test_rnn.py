import numpy
import pytest

from kerasish import layers, utils
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs


def sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def numpy_lstm(x, kernel, recurrent, bias, units):
    h = c = numpy.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, k * units : (k + 1) * units] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * numpy.tanh(g)
        h = sigmoid(o) * numpy.tanh(c)
    return h, c


def numpy_gru(x, kernel, recurrent, bias, units):
    h = numpy.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + bias[0]
        inner = h @ recurrent + bias[1]
        z = sigmoid(xz[:, :units] + inner[:, :units])
        r = sigmoid(xz[:, units : 2 * units] + inner[:, units : 2 * units])
        candidate = numpy.tanh(xz[:, 2 * units :] + r * inner[:, 2 * units :])
        h = z * h + (1 - z) * candidate
    return h


CASES = [
    (lambda: layers.SimpleRNN(3, dtype="float64"), (2, 3)),
    (lambda: layers.SimpleRNN(3, return_sequences=True, go_backwards=True, dtype="float64"), (2, 4, 3)),
    (lambda: layers.LSTM(3, dtype="float64"), (2, 3)),
    (lambda: layers.LSTM(3, return_sequences=True, return_state=True, dtype="float64"), [(2, 4, 3), (2, 3), (2, 3)]),
    (lambda: layers.GRU(3, dtype="float64"), (2, 3)),
    (lambda: layers.GRU(3, reset_after=False, return_sequences=True, dtype="float64"), (2, 4, 3)),
    (lambda: layers.Bidirectional(layers.LSTM(2, return_sequences=True, dtype="float64"), dtype="float64"), (2, 4, 4)),
    (lambda: layers.Bidirectional(layers.GRU(2, dtype="float64"), merge_mode="sum", dtype="float64"), (2, 2)),
    (lambda: layers.TimeDistributed(layers.Dense(5, dtype="float64"), dtype="float64"), (2, 4, 5)),
]


@pytest.mark.parametrize("make, output_shape", CASES)
def test_recurrent_layers(make, output_shape, engine):
    layer = make()
    x = random_inputs((2, 4, 3))
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)


def test_lstm_matches_numpy_and_uses_unit_forget_bias():
    layer = layers.LSTM(3, dtype="float64")
    x = random_inputs((2, 5, 4))
    y = layer(x).numpy()
    kernel, recurrent, bias = layer.get_weights()
    numpy.testing.assert_array_equal(bias[3:6], 1.0)
    numpy.testing.assert_allclose(y, numpy_lstm(x, kernel, recurrent, bias, 3)[0], rtol=1e-10)
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/lstm_cell/{name}" for name in ("kernel", "recurrent_kernel", "bias")
    ]


def test_gru_reset_after_matches_numpy():
    layer = layers.GRU(3, bias_initializer="random_normal", dtype="float64")
    x = random_inputs((2, 5, 4))
    y = layer(x).numpy()
    kernel, recurrent, bias = layer.get_weights()
    assert bias.shape == (2, 9)
    numpy.testing.assert_allclose(y, numpy_gru(x, kernel, recurrent, bias, 3), rtol=1e-10)


def test_masked_steps_keep_the_state():
    utils.set_random_seed(0)
    embedding = layers.Embedding(10, 4, mask_zero=True)
    lstm = layers.LSTM(3, return_sequences=True)
    ids = numpy.array([[3, 5, 0, 0], [2, 0, 0, 0]], dtype="int32")
    y = lstm(embedding(ids)).numpy()
    numpy.testing.assert_array_equal(y[0, 2], y[0, 1])
    numpy.testing.assert_array_equal(y[1, 3], y[1, 0])
    unmasked = layers.LSTM(3)
    unmasked(embedding(ids[:, :2]))
    unmasked.set_weights(lstm.get_weights())
    # float32 over different batch and sequence lengths: agreement to float32 rounding, not bit for bit
    numpy.testing.assert_allclose(unmasked(embedding(ids[:1, :2])).numpy()[0], y[0, 3], rtol=1e-5, atol=1e-7)


def test_recurrent_dropout_only_while_training():
    layer = layers.GRU(4, dropout=0.5, recurrent_dropout=0.5, seed=1)
    x = random_inputs((3, 5, 2), dtype="float32")
    numpy.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
    assert not numpy.allclose(layer(x, training=True).numpy(), layer(x).numpy())


def test_rnn_errors():
    with pytest.raises(ValueError, match="units=0"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match=r"LSTM 'lstm_probe'.*ndim=3"):
        layers.LSTM(2, name="lstm_probe")(random_inputs((2, 3), dtype="float32"))
    with pytest.raises(ValueError, match="merge_mode=bad"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="bad")


def test_generic_rnn_over_a_cell_round_trips_and_matches_the_lstm_layer(engine):
    layer = layers.RNN(layers.LSTMCell(3, dtype="float64"), return_sequences=True, dtype="float64")
    x = random_inputs((2, 4, 3))
    check_shapes(layer, x, (2, 4, 3))
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    lstm = layers.LSTM(3, return_sequences=True, dtype="float64")
    lstm(x)
    lstm.set_weights(layer.get_weights())
    numpy.testing.assert_allclose(lstm(x).numpy(), layer(x).numpy(), rtol=1e-12)


def test_initial_state_is_used():
    layer = layers.SimpleRNN(2, return_state=True)
    x = numpy.zeros((1, 1, 3), "float32")
    state = numpy.array([[0.5, -0.5]], "float32")
    output, final = layer(x, initial_state=[state])
    expected = numpy.tanh(state @ layer.cell.recurrent_kernel.numpy())
    numpy.testing.assert_allclose(output.numpy(), expected, rtol=1e-6)
    numpy.testing.assert_allclose(final.numpy(), expected, rtol=1e-6)
