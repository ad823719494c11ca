"""Fourier transforms and framing: fft, fft2, ifft2, rfft, irfft, stft, istft, extract_sequences. Values
against numpy and real Keras (JAX backend, where installed) on both engines, the stft/istft round trip,
gradients against finite differences, Keras's signatures, and errors that name the op."""

import inspect

import numpy
import pytest

from kerasish import ops
from tests.ops.engines import assert_gradients_match_finite_differences, keras_value, real_keras, run

rng = numpy.random.default_rng(0)
REAL = rng.standard_normal((3, 8)).astype("float32")
IMAG = rng.standard_normal((3, 8)).astype("float32")
SIGNAL = rng.standard_normal((2, 40)).astype("float32")

NAMES = ["fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft", "extract_sequences"]

STFT_SETTINGS = [
    dict(sequence_length=8, sequence_stride=4, fft_length=8),
    dict(sequence_length=6, sequence_stride=3, fft_length=10, window="hamming"),
    dict(sequence_length=8, sequence_stride=5, fft_length=16, window=None, center=False),
]


def _complex_pair(z):
    return z.real, z.imag


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_keras(name):
    keras = real_keras()
    ours, theirs = inspect.signature(getattr(ops, name)), inspect.signature(getattr(keras.ops, name))
    assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == [
        (p.name, p.default, p.kind) for p in theirs.parameters.values()
    ]


@pytest.mark.parametrize(
    "name, reference",
    [("fft", numpy.fft.fft), ("fft2", numpy.fft.fft2), ("ifft2", numpy.fft.ifft2)],
)
def test_complex_transforms_match_numpy(name, reference, engine):
    real, imag = run(engine, lambda a, b: getattr(ops, name)((a, b)), REAL, IMAG)
    expected = reference(REAL.astype("float64") + 1j * IMAG)
    assert real.dtype == imag.dtype == numpy.float32
    numpy.testing.assert_allclose(real + 1j * imag, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("length", [None, 6, 8, 11])
def test_rfft_matches_numpy(length, engine):
    got = run(engine, lambda x: ops.rfft(x, length), REAL)
    expected = numpy.fft.rfft(REAL.astype("float64"), n=length)
    numpy.testing.assert_allclose(got[0] + 1j * got[1], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("length", [None, 3, 7, 14, 20])
def test_irfft_matches_numpy(length, engine):
    got = run(engine, lambda a, b: ops.irfft((a, b), length), REAL, IMAG)
    numpy.testing.assert_allclose(
        got, numpy.fft.irfft(REAL + 1j * IMAG.astype("float64"), n=length), rtol=1e-5, atol=1e-6
    )


@pytest.mark.slow
def test_transforms_match_keras():
    keras = real_keras()
    for name in ("fft", "fft2", "ifft2"):
        for ours, theirs in zip(getattr(ops, name)((REAL, IMAG)), keras_value(getattr(keras.ops, name)((REAL, IMAG)))):
            numpy.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-5)
    for length in (None, 6, 11):
        for ours, theirs in zip(ops.rfft(REAL, length), keras_value(keras.ops.rfft(REAL, length))):
            numpy.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-5)
        numpy.testing.assert_allclose(
            ops.irfft((REAL, IMAG), length).numpy(), keras_value(keras.ops.irfft((REAL, IMAG), length)), atol=1e-5
        )


@pytest.mark.slow  # JAX compiles Keras's stft for seconds; the written-out stft below covers the same numbers
@pytest.mark.parametrize("settings", STFT_SETTINGS, ids=str)
def test_stft_and_istft_match_keras(settings, engine):
    keras = real_keras()
    got = run(engine, lambda x: ops.stft(x, **settings), SIGNAL)
    expected = keras_value(keras.ops.stft(SIGNAL, **settings))
    for ours, theirs in zip(got, expected):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    for length in (None, 30):
        back = run(engine, lambda a, b: ops.istft((a, b), length=length, **settings), *expected)
        numpy.testing.assert_allclose(
            back, keras_value(keras.ops.istft(expected, length=length, **settings)), atol=1e-5
        )


def _stft_reference(x, sequence_length, sequence_stride, fft_length):
    """A centred, Hann-windowed stft written out: reflect-pad, frame, window, rfft."""
    padded = numpy.pad(x, [(0, 0), (fft_length // 2, fft_length // 2)], mode="reflect")
    before = (fft_length - sequence_length) // 2
    window = numpy.zeros(fft_length)
    window[before : before + sequence_length] = 0.5 - 0.5 * numpy.cos(
        2 * numpy.pi * numpy.arange(sequence_length) / sequence_length
    )
    count = 1 + (padded.shape[-1] - fft_length) // sequence_stride
    frames = numpy.stack([padded[:, i * sequence_stride : i * sequence_stride + fft_length] for i in range(count)], 1)
    return numpy.fft.rfft(frames * window, n=fft_length)


def test_stft_is_windowed_frames_through_rfft_and_istft_inverts_it(engine):
    x = SIGNAL.astype("float64")
    real, imag = run(engine, lambda t: ops.stft(t, 6, 2, 8), x)
    numpy.testing.assert_allclose(real + 1j * imag, _stft_reference(x, 6, 2, 8), rtol=1e-10, atol=1e-10)
    back = run(engine, lambda a, b: ops.istft((a, b), 6, 2, 8, length=40), real, imag)
    numpy.testing.assert_allclose(back, x, atol=1e-10)


@pytest.mark.parametrize(
    "name, fn, count",
    [
        ("fft", lambda a, b: ops.fft((a, b))[0] * 2 + ops.fft((a, b))[1], 2),
        ("ifft2", lambda a, b: ops.ifft2((a, b))[1], 2),
        ("rfft", lambda a: ops.rfft(a, 6)[1], 1),
        ("irfft", lambda a, b: ops.irfft((a, b), 9), 2),
        ("stft", lambda a: ops.stft(a, 6, 3, 8)[0], 1),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_gradients_match_finite_differences(name, fn, count, engine):
    arrays = [REAL.astype("float64"), IMAG.astype("float64")][:count]
    assert_gradients_match_finite_differences(engine, fn, *arrays)


def test_istft_gradient_matches_finite_differences(engine):
    real, imag = (numpy.asarray(p, dtype="float64") for p in ops.stft(SIGNAL.astype("float64"), 8, 4, 8))
    assert_gradients_match_finite_differences(engine, lambda a, b: ops.istft((a, b), 8, 4, 8), real, imag)


def test_extract_sequences_matches_keras_and_frames_the_last_axis(engine):
    x = numpy.arange(30.0).reshape(2, 15)
    got = run(engine, lambda t: ops.extract_sequences(t, 4, 3), x)
    assert got.shape == (2, 4, 4)
    numpy.testing.assert_array_equal(got[1, 2], x[1, 6:10])
    assert_gradients_match_finite_differences(engine, lambda t: ops.extract_sequences(t, 4, 3), x)
    keras = real_keras()
    numpy.testing.assert_array_equal(got, keras_value(keras.ops.extract_sequences(x, 4, 3)))


def test_errors_name_the_op():
    with pytest.raises(ValueError, match="fft: Input `x` should be a tuple of two tensors - real and imaginary"):
        ops.fft(REAL)
    with pytest.raises(ValueError, match=r"fft: .*Both the real and imaginary parts should have the same shape"):
        ops.fft((REAL, IMAG[:, :4]))
    with pytest.raises(ValueError, match=r"irfft: .*x\[0\].shape = \(3, 8\), x\[1\].shape = \(3, 4\)"):
        ops.irfft((REAL, IMAG[:, :4]))
    with pytest.raises(ValueError, match="fft2: At least one tensor in input `x` is not of type float"):
        ops.fft2((REAL, numpy.zeros((3, 8), "int32")))
    with pytest.raises(ValueError, match=r"fft: Input should have rank >= 2. Received: input.shape = \(8,\)"):
        ops.fft2((REAL[0], IMAG[0]))
    with pytest.raises(TypeError, match="stft: Invalid input type. Expected `float32` or `float64`"):
        ops.stft(numpy.arange(40), 8, 4, 8)
    with pytest.raises(ValueError, match="stft: `fft_length` must equal or larger than `sequence_length`"):
        ops.stft(SIGNAL, 8, 4, 4)
    with pytest.raises(ValueError, match=r'stft: If a string is passed to `window`, it must be one of `"hann"`'):
        ops.stft(SIGNAL, 8, 4, 8, window="blackman")
    with pytest.raises(ValueError, match=r"stft: The shape of `window` must be equal to \[sequence_length\]"):
        ops.stft(SIGNAL, 8, 4, 8, window=numpy.ones(7))
    with pytest.raises(
        ValueError, match="istft: `sequence_stride` must be a positive integer. Received: sequence_stride=0"
    ):
        ops.istft((REAL, IMAG), 8, 0, 8)
    with pytest.raises(ValueError, match=r"extract_sequences: sequence_length=9 is longer than the last axis"):
        ops.extract_sequences(REAL, 9, 1)
