"""STFTSpectrogram and MelSpectrogram."""

import os

import numpy
import pytest

from kerasish import layers
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes, random_inputs

CASES = [
    (lambda: layers.STFTSpectrogram(frame_length=16, dtype="float64"), (2, 64, 1), (2, 7, 9)),
    (
        lambda: layers.STFTSpectrogram(
            mode="magnitude", frame_length=16, frame_step=4, padding="same", dtype="float64"
        ),
        (2, 32, 2),
        (2, 8, 18),
    ),
    (
        lambda: layers.STFTSpectrogram(
            mode="stft", frame_length=8, expand_dims=True, data_format="channels_first", dtype="float64"
        ),
        (2, 3, 32),
        (2, 3, 7, 10),
    ),
    (
        lambda: layers.STFTSpectrogram(mode="psd", frame_length=10, fft_length=16, window="hamming", dtype="float64"),
        (2, 40, 1),
        (2, 7, 9),
    ),
    (
        lambda: layers.MelSpectrogram(
            fft_length=64, sequence_stride=16, num_mel_bins=8, power_to_db=False, dtype="float64"
        ),
        (2, 256),
        (2, 8, 17),
    ),
]


@pytest.mark.parametrize("make, input_shape, output_shape", CASES)
def test_spectrogram_layers(make, input_shape, output_shape, engine, tmp_path):
    layer = make()
    x = random_inputs(input_shape)
    check_shapes(layer, x, output_shape)
    check_config_round_trip(layer, x)
    check_gradients(layer, x, engine)
    check_keras_file_round_trip(layer, x, tmp_path)


def test_stft_magnitudes_are_those_of_numpy():
    """With no window and no scaling, the magnitudes are |rfft| of each frame."""
    x = random_inputs((1, 64, 1))
    layer = layers.STFTSpectrogram(
        mode="magnitude", frame_length=16, frame_step=8, window=None, scaling=None, dtype="float64"
    )
    frames = numpy.stack([x[0, start : start + 16, 0] for start in range(0, 49, 8)])
    numpy.testing.assert_allclose(layer(x).numpy()[0], numpy.abs(numpy.fft.rfft(frames)), rtol=1e-6, atol=1e-6)


def test_mel_spectrogram_of_a_tone_peaks_at_its_frequency():
    rate = 8000
    tone = numpy.sin(2 * numpy.pi * 1000 * numpy.arange(4096) / rate).astype("float32")[None]
    layer = layers.MelSpectrogram(fft_length=512, sequence_stride=256, sampling_rate=rate, num_mel_bins=40)
    spectrum = layer(tone).numpy()[0].mean(-1)
    mel = 1127.0 * numpy.log(1 + numpy.array([20.0, 1000.0, 4000.0]) / 700.0)
    assert abs(int(spectrum.argmax()) - (mel[1] - mel[0]) / (mel[2] - mel[0]) * 41 + 1) <= 1.5


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.STFTSpectrogram(mode="loud"), r"mode=loud"),
        (lambda: layers.STFTSpectrogram(frame_length=16, frame_step=17), r"frame_step=17, frame_length=16"),
        (lambda: layers.STFTSpectrogram(frame_length=16, fft_length=8), r"fft_length=8, frame_length=16"),
        (lambda: layers.STFTSpectrogram(window="no_such_window"), r"no_such_window"),
        (
            lambda: layers.MelSpectrogram(fft_length=256, sequence_length=512),
            r"`sequence_length`=512, `fft_length`=256",
        ),
    ],
)
def test_spectrogram_argument_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "name, kwargs, input_shape",
    [
        pytest.param(
            "STFTSpectrogram",
            dict(frame_length=32, frame_step=8, periodic=True),
            (2, 128, 2),
            marks=pytest.mark.slow,  # seconds of JAX compilation; the numpy magnitude test and the case below cover it
        ),
        (
            "STFTSpectrogram",
            dict(mode="angle", frame_length=20, fft_length=32, window="hamming", data_format="channels_first"),
            (2, 1, 100),
        ),
        pytest.param(
            "MelSpectrogram",
            dict(fft_length=256, sequence_stride=64, num_mel_bins=20),
            (2, 1000),
            marks=pytest.mark.slow,  # seconds of JAX compilation; the tone test checks the mel scale fast
        ),
    ],
)
def test_spectrograms_match_keras(name, kwargs, input_shape):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x = random_inputs(input_shape, dtype="float32")
    theirs, ours = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    expected = numpy.asarray(theirs(x))
    ours(x)
    for mine, reference in zip(ours.weights, theirs.weights):
        numpy.testing.assert_allclose(mine.numpy(), numpy.asarray(reference), rtol=1e-5, atol=1e-5)  # the DFT kernels
        mine.assign(numpy.asarray(reference))
    numpy.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-4, atol=1e-4)
    assert set(theirs.get_config()) <= set(ours.get_config())
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
