"""MelSpectrogram: the power spectrogram of a batch of signals (`ops.stft`) on the mel scale, in decibels by
default; (batch, samples) becomes (batch, num_mel_bins, frames), as Keras's."""

from kerasish import ops
from kerasish.layers.layer import Layer

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def hertz_to_mel(frequencies):
    return _MEL_HIGH_FREQUENCY_Q * ops.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz, upper_edge_hertz):
    """(num_spectrogram_bins, num_mel_bins) triangular filters, equally spaced in mels (TensorFlow's and
    Keras's matrix: the DC bin gets no weight)."""
    spectrogram_mels = ops.expand_dims(
        hertz_to_mel(ops.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins, dtype="float32")[1:]), 1
    )
    edges = ops.linspace(
        hertz_to_mel(ops.convert_to_tensor(float(lower_edge_hertz), dtype="float32")),
        hertz_to_mel(ops.convert_to_tensor(float(upper_edge_hertz), dtype="float32")),
        num_mel_bins + 2,
    )
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    weights = ops.maximum(
        0.0, ops.minimum((spectrogram_mels - lower) / (center - lower), (upper - spectrogram_mels) / (upper - center))
    )
    return ops.pad(weights, [(1, 0), (0, 0)])


class MelSpectrogram(Layer):
    def __init__(
        self,
        fft_length=2048,
        sequence_stride=512,
        sequence_length=None,
        window="hann",
        sampling_rate=16000,
        num_mel_bins=128,
        min_freq=20.0,
        max_freq=None,
        power_to_db=True,
        top_db=80.0,
        mag_exp=2.0,
        min_power=1e-10,
        ref_power=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError(
                "`fft_length` must be greater than or equal to `sequence_length`. Received: "
                f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}."
            )
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power

    def call(self, inputs):
        if inputs.dtype.name not in ("float32", "float64"):
            inputs = ops.cast(inputs, "float32")
        real, imag = ops.stft(
            inputs,
            sequence_length=self.sequence_length,
            sequence_stride=self.sequence_stride,
            fft_length=self.fft_length,
            window=self.window,
            center=True,
        )
        power = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        matrix = linear_to_mel_weight_matrix(
            self.num_mel_bins, power.shape[-1], self.sampling_rate, self.min_freq, self.max_freq
        )
        outputs = ops.tensordot(power, ops.cast(matrix, power.dtype), axes=1)
        if self.power_to_db:
            outputs = 10.0 * ops.log10(ops.maximum(outputs, self.min_power))
            outputs = outputs - 10.0 * ops.log10(ops.maximum(abs(self.ref_power), self.min_power))
            outputs = ops.maximum(outputs, ops.max(outputs) - self.top_db)
        return ops.cast(ops.swapaxes(outputs, -1, -2), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        length = input_shape[-1]
        frames = None if length is None else (length + self.sequence_stride + 1) // self.sequence_stride
        return (*input_shape[:-1], self.num_mel_bins, frames)

    def get_config(self):
        return {
            **super().get_config(),
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length,
            "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "power_to_db": self.power_to_db,
            "top_db": self.top_db,
            "mag_exp": self.mag_exp,
            "min_power": self.min_power,
            "ref_power": self.ref_power,
        }
