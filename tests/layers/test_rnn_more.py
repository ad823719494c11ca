"""ConvLSTM1D/2D/3D (ConvLSTMCell) and StackedRNNCells."""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.layers.layer import get_mask
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.ConvLSTM1D(2, 3, dtype="float64"), (2, 3, 5, 2), (2, 3, 2)),
    (
        lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, dtype="float64"),
        (2, 3, 4, 4, 1),
        (2, 3, 4, 4, 2),
    ),
    (
        lambda: layers.ConvLSTM2D(1, 2, strides=2, go_backwards=True, return_state=True, dtype="float64"),
        (2, 2, 4, 4, 1),
        [(2, 2, 2, 1)] * 3,
    ),
    (
        lambda: layers.ConvLSTM3D(1, 2, dilation_rate=2, data_format="channels_first", dtype="float64"),
        (2, 2, 1, 4, 4, 4),
        (2, 1, 2, 2, 2),
    ),
    (
        lambda: layers.RNN(
            layers.StackedRNNCells(
                [
                    layers.LSTMCell(3, dtype="float64"),
                    layers.GRUCell(2, dtype="float64"),
                    layers.SimpleRNNCell(4, dtype="float64"),
                ]
            ),
            return_sequences=True,
            return_state=True,
            dtype="float64",
        ),
        (2, 5, 3),
        [(2, 5, 4), (2, 3), (2, 3), (2, 2), (2, 4)],
    ),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_recurrent_layers(make, input_shape, output_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_conv_lstm_of_one_pixel_is_an_lstm():
    """A 1x1 ConvLSTM2D over 1x1 images computes what an LSTM with the same weights computes."""
    x = random_inputs((2, 4, 1, 1, 3), dtype="float32")
    conv = layers.ConvLSTM2D(5, 1, return_sequences=True)
    lstm = layers.LSTM(5, return_sequences=True)
    conv(x), lstm(x[:, :, 0, 0])
    lstm.set_weights([w.reshape(w.shape[-2:]) if w.ndim > 1 else w for w in conv.get_weights()])
    numpy.testing.assert_allclose(conv(x).numpy()[:, :, 0, 0], lstm(x[:, :, 0, 0]).numpy(), rtol=1e-5, atol=1e-6)


def test_conv_lstm_skips_masked_steps(engine):
    inputs = kerasish.Input((4, 3, 3, 2))
    conv = layers.ConvLSTM2D(2, 3, padding="same")
    model = kerasish.Model(
        inputs, conv(inputs, mask=layers.Lambda(lambda t: kerasish.ops.ones_like(t[:, :, 0, 0, 0]) > 0)(inputs))
    )
    model.compile(backend=engine)
    x = random_inputs((2, 4, 3, 3, 2), dtype="float32")
    mask = numpy.array([[True, True, False, False], [True, True, True, True]])
    masked = conv(x, mask=mask).numpy()
    numpy.testing.assert_allclose(masked[0], conv(x[:1, :2]).numpy()[0], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(masked[1], conv(x[1:]).numpy()[0], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(model.predict(x, verbose=0), conv(x).numpy(), rtol=1e-5, atol=1e-6)


def test_conv_lstm_dropout_runs_while_training_on_both_engines(engine):
    layer = layers.ConvLSTM1D(2, 2, dropout=0.5, recurrent_dropout=0.5, seed=1)
    x = random_inputs((3, 4, 5, 2), dtype="float32")
    if engine == "static":
        trained = numpy.asarray(kerasish.function(lambda v: layer(v, training=True), engine="static")(x))
    else:
        trained = layer(x, training=True).numpy()
    assert trained.shape == (3, 4, 2) and not numpy.allclose(trained, layer(x).numpy())


def test_stacked_cells_match_the_stacked_layers():
    x = random_inputs((2, 5, 3), dtype="float32")
    stacked = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(2)]), return_sequences=True)
    first, second = layers.LSTM(4, return_sequences=True), layers.GRU(2, return_sequences=True)
    stacked(x), second(first(x))
    first.set_weights(stacked.get_weights()[:3])
    second.set_weights(stacked.get_weights()[3:])
    numpy.testing.assert_allclose(stacked(x).numpy(), second(first(x)).numpy(), rtol=1e-5, atol=1e-6)
    mask = numpy.array([[True] * 5, [True, True, True, False, False]])
    masked = layers.Masking()(numpy.where(mask[..., None], x, 0))
    assert get_mask(stacked(masked)) is not None


@pytest.mark.parametrize(
    "make, input_shape, message",
    [
        (lambda: layers.ConvLSTM2D(2, 3, name="probe"), (2, 3, 4, 4), r"ConvLSTM2D 'probe'.*ndim=5.*ndim=4"),
        (lambda: layers.ConvLSTM1D(2, 3, strides=2, dilation_rate=2), None, r"strides=\(2,\) and dilation_rate=\(2,\)"),
        (lambda: layers.ConvLSTM1D(2, (3, 3)), None, r"kernel_size=\(3, 3\)"),
        (lambda: layers.StackedRNNCells([layers.Dense(2), "lstm"]), None, r"state_size"),
    ],
)
def test_recurrent_errors(make, input_shape, message):
    with pytest.raises(ValueError, match=message):
        make()(random_inputs(input_shape, dtype="float32"))


def test_conv_lstm_needs_known_spatial_sizes():
    with pytest.raises(ValueError, match=r"ConvLSTM1D 'probe'.*static input shapes.*\(None, None, 2\)"):
        layers.ConvLSTM1D(2, 2, name="probe")(kerasish.Input((3, None, 2)))


def test_stacked_cells_with_dropout_train_on_both_engines(engine):
    cells = [layers.LSTMCell(3, dropout=0.5, recurrent_dropout=0.5, seed=1), layers.GRUCell(2, dropout=0.5, seed=2)]
    layer = layers.RNN(layers.StackedRNNCells(cells), return_sequences=True)
    x = random_inputs((3, 4, 5), dtype="float32")
    if engine == "static":
        trained = numpy.asarray(kerasish.function(lambda v: layer(v, training=True), engine="static")(x))
    else:
        trained = layer(x, training=True).numpy()
    assert trained.shape == (3, 4, 2) and not numpy.allclose(trained, layer(x).numpy())
    assert all(cell.dropout_mask is None for cell in cells)  # masks are per sequence, dropped after the call
