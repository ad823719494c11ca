"""STFTSpectrogram: the short-time Fourier transform of a batch of signals as a 1-D convolution with two
kernels (the windowed cosines and sines of the DFT: `real_kernel`, `imag_kernel`, weights as in Keras, so they
can be trained), reduced to Keras's modes: log or linear magnitude, power spectral density, real or imaginary
part, phase angle, or the stacked real and imaginary parts ("stft")."""

import math
import warnings

from kerasish import initializers, ops
from kerasish.backend import epsilon
from kerasish.initializers.constant_initializers import window_values
from kerasish.layers.arguments import conv_output_length, standardize_data_format
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    def __init__(
        self,
        mode="log",
        frame_length=256,
        frame_step=None,
        fft_length=None,
        window="hann",
        periodic=False,
        scaling="density",
        padding="valid",
        expand_dims=False,
        data_format=None,
        **kwargs,
    ):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError(
                "`frame_step` should be a positive integer not greater than `frame_length`. Received "
                f"frame_step={frame_step}, frame_length={frame_length}"
            )
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(
                "`fft_length` should be not less than `frame_length`. Received "
                f"fft_length={fft_length}, frame_length={frame_length}"
            )
        if fft_length is not None and fft_length & -fft_length != fft_length:
            warnings.warn(
                f"`fft_length` is recommended to be a power of two. Received fft_length={fft_length}", stacklevel=2
            )
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(
                f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling={scaling}"
            )
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        if isinstance(window, str):
            window_values(window, 1, periodic)  # an unknown window (or one that needs scipy) fails here
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self.frequencies = (fft_length or 2 ** int(math.ceil(math.log2(frame_length)))) // 2 + 1
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self.frequencies)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel",
                shape=shape,
                initializer=initializers.STFT("real", self.window, self.scaling, self.periodic),
            )
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel",
                shape=shape,
                initializer=initializers.STFT("imag", self.window, self.scaling, self.periodic),
            )

    def _transform(self, inputs, kernel):
        """(batch, channels, frequencies, frames): each channel convolved alone with the kernel."""
        channels_last = self.data_format == "channels_last"
        length, channels = (inputs.shape[1], inputs.shape[2]) if channels_last else (inputs.shape[2], inputs.shape[1])
        signals = ops.transpose(inputs, (0, 2, 1)) if channels_last else inputs
        signals = ops.reshape(signals, (-1, length, 1) if channels_last else (-1, 1, length))
        outputs = ops.conv(signals, kernel, strides=self.step, padding=self.padding, data_format=self.data_format)
        if channels_last:
            outputs = ops.transpose(outputs, (0, 2, 1))
        return ops.reshape(outputs, (-1, channels) + tuple(outputs.shape[1:]))

    def _layout(self, outputs):
        """From (batch, channels, frequencies, frames) to the layer's output layout."""
        _, channels, frequencies, frames = outputs.shape
        if self.expand_dims:
            return ops.transpose(outputs, (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2))
        outputs = ops.reshape(outputs, (-1, channels * frequencies, frames))
        return ops.transpose(outputs, (0, 2, 1)) if self.data_format == "channels_last" else outputs

    def call(self, inputs):
        if inputs.dtype.name not in ("float16", "float32", "float64"):
            raise TypeError(
                f"Invalid input type. Expected `float16`, `float32` or `float64`. Received: input type={inputs.dtype}"
            )
        real = self._transform(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._transform(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode in ("real", "imag"):
            return self._layout(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._layout(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._layout(ops.concatenate([real, imag], axis=2))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":  # one-sided: the inner frequencies count twice
            return self._layout(power + ops.pad(power[:, :, 1:-1, :], [(0, 0), (0, 0), (1, 1), (0, 0)]))
        magnitude = self._layout(ops.sqrt(ops.maximum(power, epsilon())))
        return magnitude if self.mode == "magnitude" else ops.log(ops.maximum(magnitude, epsilon()))

    def compute_output_shape(self, input_shape):
        channels_last = self.data_format == "channels_last"
        batch, length, channels = (
            (input_shape[0], input_shape[1], input_shape[2])
            if channels_last
            else (input_shape[0], input_shape[2], input_shape[1])
        )
        frequencies = self.frequencies * (2 if self.mode == "stft" else 1)
        frames = conv_output_length(length, self.frame_length, self.padding, self.step)
        if self.expand_dims:
            return (batch, frames, frequencies, channels) if channels_last else (batch, channels, frames, frequencies)
        features = None if channels is None else frequencies * channels
        return (batch, frames, features) if channels_last else (batch, features, frames)

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "frame_length": self.frame_length,
            "frame_step": self.frame_step,
            "fft_length": self.fft_length,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
            "padding": self.padding,
            "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        }
