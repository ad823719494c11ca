"""Initializers that draw nothing: Zeros, Ones, Constant, Identity, STFT (Keras 3 names and configs)."""

import math

import numpy

from kerasish import ops
from kerasish.backends import config
from kerasish.initializers.initializer import Initializer


def standard_dtype(dtype):
    return numpy.dtype(dtype or config.floatx())


class Constant(Initializer):
    """Every element equal to `value`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return ops.full(tuple(shape), self.value, dtype=standard_dtype(dtype))

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, numpy.ndarray) else value}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return ops.zeros(tuple(shape), dtype=standard_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return ops.ones(tuple(shape), dtype=standard_dtype(dtype))


class Identity(Initializer):
    """`gain` times the identity matrix; 2-D shapes only."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}."
            )
        return ops.cast(self.gain * ops.eye(*shape, dtype=standard_dtype(dtype)), standard_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


class STFT(Initializer):
    """Conv kernels of a short-time Fourier transform, shape `(frame_length, 1, fft_length // 2 + 1)`: the
    cosines ("real") or sines ("imag") of the DFT, times a window divided by its L2 norm ("density") or L1
    norm ("spectrum"). `window`: "hann" or "hamming" (periodic or symmetric, as scipy's `get_window`), another
    window name of `scipy.signal.windows` (scipy needed), the window's values, or None."""

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str):
            window_values(window, 1, periodic)  # an unknown window name fails here, as in Keras
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(
                f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling={scaling}"
            )
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        dtype = standard_dtype(dtype)
        frame_length, _, fft_bins = shape
        time = ops.reshape(ops.arange(frame_length, dtype=dtype), (frame_length, 1, 1))
        frequency = ops.reshape(ops.arange(fft_bins, dtype=dtype), (1, 1, fft_bins)) / ((fft_bins - 1) * 2)
        angles = -2 * math.pi * time * frequency
        kernel = ops.cast(ops.cos(angles) if self.side == "real" else ops.sin(angles), dtype)
        if self.window is None:
            return kernel
        window = self.window
        if isinstance(window, str):
            window = window_values(window, frame_length, self.periodic)
        window = ops.convert_to_tensor(window, dtype=dtype)
        if len(window.shape) != 1 or window.shape[-1] != frame_length:
            raise ValueError(
                f"The shape of `window` must be equal to [frame_length].Received: window shape={window.shape}"
            )
        window = ops.reshape(window, (frame_length, 1, 1))
        scaling = 1.0
        if self.scaling == "density":
            scaling = ops.sqrt(ops.sum(ops.square(window)))
        elif self.scaling == "spectrum":
            scaling = ops.sum(ops.abs(window))
        return ops.divide(ops.multiply(kernel, window), scaling)

    def get_config(self):
        window = self.window.tolist() if isinstance(self.window, numpy.ndarray) else self.window
        return {"side": self.side, "window": window, "periodic": self.periodic, "scaling": self.scaling}


def window_values(name, length, periodic):
    """scipy's `get_window(name, length, fftbins=periodic)` in float64: Hann and Hamming computed here, any
    other window from scipy when it is installed."""
    if name in ("hann", "hamming"):
        weight = 0.5 if name == "hann" else 0.54
        period = length if periodic or length == 1 else length - 1
        return weight - (1 - weight) * ops.cos(2 * math.pi * ops.arange(length, dtype="float64") / period)
    try:
        from scipy import signal
    except ImportError:
        raise ValueError(
            f"STFT: window {name!r} needs scipy (`pip install scipy`); 'hann' and 'hamming' work without it, "
            "and `window` may also be the window's values"
        ) from None
    return signal.get_window(name, length, periodic)
