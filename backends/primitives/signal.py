"""Fourier transforms and framing as Keras's ops: fft, fft2, ifft2, rfft, irfft, stft, istft and
extract_sequences. As in Keras, complex values are `(real, imag)` pairs of float tensors.

One primitive, `fft`, transforms a pair over its last one or two axes (forwards or inverse) and returns the
pair stacked on a new last axis; its gradient is the adjoint transform (the inverse transform times the
size, or the transform over the size), so every op here differentiates. rfft and irfft are the complex
transform of a real signal and of a Hermitian-extended spectrum; stft and istft frame the signal with
`extract_patches` / sum frames back with `scatter_patches` (the sliding-window primitives), as
`jax.scipy.signal` does for Keras's JAX backend: the same windows ("hann", "hamming": scipy's periodic
ones), scaling and padding.
"""

import math

import numpy

from .elementwise import float_dtype
from .registry import dtype_of, export, ops, primitive, shape_of
from .windows import extract_patches, scatter_patches

# ----- the complex transform -----------------------------------------------------------------


def _fft_forward(xp, real, imag, rank, inverse):
    axes = tuple(range(-rank, 0))
    transform = xp.fft.ifftn if inverse else xp.fft.fftn
    result = transform(real + 1j * imag, axes=axes)
    return xp.stack([result.real, result.imag], axis=-1).astype(real.dtype, copy=False)


def _fft_vjp(g, inputs, out, needs, rank, inverse):
    """The adjoint of the unnormalised transform F is size * F⁻¹, that of F⁻¹ is F / size."""
    size = math.prod(shape_of(inputs[0])[-rank:])
    adjoint = _fft(g[..., 0], g[..., 1], rank=rank, inverse=not inverse)
    adjoint = adjoint * (size if not inverse else 1 / size)
    return adjoint[..., 0], adjoint[..., 1]


def _fft_infer(shapes, dtypes, rank, inverse):
    real, imag = (tuple(s) for s in shapes)
    if real != imag:
        raise ValueError(
            "fft: Input `x` should be a tuple of two tensors - real and imaginary. Both the real and imaginary parts "
            f"should have the same shape. Received: x[0].shape = {real}, x[1].shape = {imag}"
        )
    if len(real) < rank:
        raise ValueError(f"fft: Input should have rank >= {rank}. Received: input.shape = {real}")
    if None in real[-rank:]:
        raise ValueError(
            f"fft: Input should have its last {rank} dimension(s) fully-defined (known). Received: input.shape = {real}"
        )
    return real + (2,), numpy.result_type(*[numpy.dtype(d) for d in dtypes])


_fft = primitive("fft", _fft_forward, _fft_vjp, _fft_infer, saves=())


def _pair(name, x):
    """The real and imaginary parts of a Keras complex input, checked."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: Input `x` should be a tuple of two tensors - real and imaginary. Received: x={x}")
    real, imag = x
    if shape_of(real) != shape_of(imag):
        raise ValueError(
            f"{name}: Input `x` should be a tuple of two tensors - real and imaginary. Both the real and imaginary "
            f"parts should have the same shape. Received: x[0].shape = {shape_of(real)}, x[1].shape = {shape_of(imag)}"
        )
    for part in (real, imag):
        dtype = dtype_of(part)
        if dtype is not float and (isinstance(dtype, type) or dtype.kind != "f"):
            raise ValueError(
                f"{name}: At least one tensor in input `x` is not of type float. Received: x[0].dtype = "
                f"{dtype_of(real)}, x[1].dtype = {dtype_of(imag)}"
            )
    return real, imag


def _transform(name, x, rank, inverse):
    real, imag = _pair(name, x)
    stacked = _fft(real, imag, rank=rank, inverse=inverse)
    return stacked[..., 0], stacked[..., 1]


@export
def fft(x):
    """The discrete Fourier transform over the last axis of `x = (real, imag)`, as a `(real, imag)` pair."""
    return _transform("fft", x, 1, False)


@export
def fft2(x):
    """The 2-D discrete Fourier transform over the last two axes of `x = (real, imag)`."""
    return _transform("fft2", x, 2, False)


@export
def ifft2(x):
    """The inverse 2-D discrete Fourier transform over the last two axes of `x = (real, imag)`."""
    return _transform("ifft2", x, 2, True)


# ----- real signals --------------------------------------------------------------------------


def _fit_last_axis(x, length):
    """`x` cropped or zero-padded along its last axis to `length`."""
    size = shape_of(x)[-1]
    if size > length:
        return x[..., :length]
    if size < length:
        return ops.pad(x, [(0, 0)] * (len(shape_of(x)) - 1) + [(0, length - size)])
    return x


def _known_last_axis(name, x):
    shape = shape_of(x)
    if not shape:
        raise ValueError(f"{name}: Input should have rank >= 1. Received: input.shape = {shape}")
    if shape[-1] is None:
        raise ValueError(f"{name}: the last axis of the input must be known; received shape {shape}")
    return shape[-1]


def _fft_length(name, fft_length, default):
    if fft_length is None:
        return default
    if isinstance(fft_length, bool) or not isinstance(fft_length, (int, numpy.integer)) or fft_length < 1:
        raise ValueError(f"{name}: `fft_length` must be a positive integer. Received: fft_length={fft_length!r}")
    return int(fft_length)


@export
def rfft(x, fft_length=None):
    """The Fourier transform of a real signal over its last axis (cropped or zero-padded to `fft_length`): the
    `fft_length // 2 + 1` non-negative frequencies, as a `(real, imag)` pair."""
    length = _fft_length("rfft", fft_length, _known_last_axis("rfft", x))
    x = ops.cast(x, float_dtype(dtype_of(x)))
    signal = _fit_last_axis(x, length)
    stacked = _fft(signal, ops.zeros_like(signal), rank=1, inverse=False)
    return stacked[..., : length // 2 + 1, 0], stacked[..., : length // 2 + 1, 1]


@export
def irfft(x, fft_length=None):
    """The real signal of length `fft_length` (default `2 * (m - 1)`) whose rfft is `x = (real, imag)`."""
    real, imag = _pair("irfft", x)
    bins = _known_last_axis("irfft", real)
    length = _fft_length("irfft", fft_length, 2 * (bins - 1))
    if length < 1:
        raise ValueError(f"irfft: the output length must be positive; received {bins} frequency bins")
    kept = length // 2 + 1
    real, imag = _fit_last_axis(real, kept), _fit_last_axis(imag, kept)
    mirrored = slice(1, length - length // 2)  # the bins whose conjugates fill the negative frequencies
    full_real = ops.concatenate([real, ops.flip(real[..., mirrored], -1)], axis=-1)
    full_imag = ops.concatenate([imag, -ops.flip(imag[..., mirrored], -1)], axis=-1)
    return _fft(full_real, full_imag, rank=1, inverse=True)[..., 0]


# ----- framing -------------------------------------------------------------------------------


def _positive_int(name, argument, value):
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value <= 0:
        raise ValueError(f"{name}: `{argument}` must be a positive integer. Received: {argument}={value!r}")
    return int(value)


def _frame_geometry(length):
    return dict(kernel_size=(length,), dilation=(1,), pads=((0, 0),), data_format="channels_last")


@export
def extract_sequences(x, sequence_length, sequence_stride):
    """Windows of `sequence_length` every `sequence_stride` along the last axis: shape
    `(..., 1 + (N - sequence_length) // sequence_stride, sequence_length)`."""
    length = _positive_int("extract_sequences", "sequence_length", sequence_length)
    stride = _positive_int("extract_sequences", "sequence_stride", sequence_stride)
    size = _known_last_axis("extract_sequences", x)
    if size < length:
        raise ValueError(
            f"extract_sequences: sequence_length={length} is longer than the last axis of the input "
            f"(shape {shape_of(x)})"
        )
    batch = shape_of(x)[:-1]
    frames = extract_patches(ops.reshape(x, (-1, size, 1)), strides=(stride,), pad_value=0.0, **_frame_geometry(length))
    return ops.reshape(frames, (*batch, shape_of(frames)[1], length))


def _overlap_add(frames, stride):
    """The adjoint of extract_sequences: frames `(..., count, length)` summed at every `stride`."""
    *batch, count, length = shape_of(frames)
    size = (count - 1) * stride + length
    windows = ops.reshape(frames, (-1, count, length, 1))
    signal = scatter_patches(windows, spatial_shape=(size,), strides=(stride,), **_frame_geometry(length))
    return ops.reshape(signal, (*batch, size))


def _window(name, window, sequence_length, fft_length, dtype):
    """The analysis window padded to `fft_length` (centred), as numpy constants or the user's tensor."""
    before = (fft_length - sequence_length) // 2
    after = fft_length - sequence_length - before
    if window is None:
        return numpy.ones(fft_length, dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f'{name}: If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                f"Received: window={window}"
            )
        weight = 0.5 if window == "hann" else 0.54
        values = weight - (1 - weight) * numpy.cos(2 * numpy.pi * numpy.arange(sequence_length) / sequence_length)
        return numpy.pad(values, (before, after)).astype(dtype)
    if shape_of(window) != (sequence_length,):
        raise ValueError(
            f"{name}: The shape of `window` must be equal to [sequence_length]. Received: window shape="
            f"{shape_of(window)}"
        )
    return ops.pad(ops.cast(window, dtype), [(before, after)])


def _stft_lengths(name, sequence_length, sequence_stride, fft_length):
    sequence_length = _positive_int(name, "sequence_length", sequence_length)
    sequence_stride = _positive_int(name, "sequence_stride", sequence_stride)
    fft_length = _positive_int(name, "fft_length", fft_length)
    if fft_length < sequence_length:
        raise ValueError(
            f"{name}: `fft_length` must equal or larger than `sequence_length`. Received: "
            f"sequence_length={sequence_length}, fft_length={fft_length}"
        )
    return sequence_length, sequence_stride, fft_length


@export
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform over the last axis: `(real, imag)` of shape `(..., frames,
    fft_length // 2 + 1)`; `center` reflect-pads `fft_length // 2` samples at both ends."""
    sequence_length, sequence_stride, fft_length = _stft_lengths("stft", sequence_length, sequence_stride, fft_length)
    dtype = dtype_of(x)
    if isinstance(dtype, type) or dtype.name not in ("float32", "float64"):
        raise TypeError(f"stft: Invalid input type. Expected `float32` or `float64`. Received: input type={dtype}")
    size = _known_last_axis("stft", x)
    if center:
        pad = fft_length // 2
        if size <= pad:
            raise ValueError(
                f"stft: center=True reflects {pad} samples at each end, which needs more than {pad} samples; "
                f"received shape {shape_of(x)}"
            )
        x = ops.pad(x, [(0, 0)] * (len(shape_of(x)) - 1) + [(pad, pad)], mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    frames = frames * _window("stft", window, sequence_length, fft_length, dtype.name)
    return rfft(frames, fft_length)


@export
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The signal whose stft is `x = (real, imag)` (the same arguments), by windowed overlap-add; `length`
    crops the result (from the first sample after the centring pad)."""
    sequence_length, sequence_stride, fft_length = _stft_lengths("istft", sequence_length, sequence_stride, fft_length)
    real, imag = _pair("istft", x)
    if len(shape_of(real)) < 2:
        raise ValueError(f"istft: Input `x` must have at least 2 dimensions. Received shape: {shape_of(real)}")
    dtype = float_dtype(dtype_of(real)).name
    analysis = _window("istft", window, sequence_length, fft_length, dtype)
    frames = irfft((real, imag), fft_length) * analysis
    signal = _overlap_add(frames, sequence_stride)
    count = shape_of(frames)[-2]
    squares = ops.broadcast_to(ops.square(analysis), (count, fft_length))
    norm = _overlap_add(squares, sequence_stride)
    scale = ops.sum(analysis) / sequence_stride if window is None else 1.0
    signal = signal * scale / ops.where(ops.greater(norm, 1e-10), norm, 1.0)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + int(length)
    else:
        end = shape_of(signal)[-1] - (fft_length // 2 if center else 0)
    return signal[..., start:end]
