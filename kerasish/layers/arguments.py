"""Argument checks and output-size arithmetic shared by the layers, with Keras 3's messages."""

from kerasish.backends.config import standardize_data_format

__all__ = [
    "conv_output_length",
    "conv_transpose_output_length",
    "standardize_data_format",
    "standardize_padding",
    "standardize_tuple",
    "validate_positive_int",
]


def standardize_tuple(value, n, name, allow_zero=False):
    """An int or a sequence of `n` ints as a tuple of `n` ints (Keras's `standardize_tuple`)."""
    error = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(error) from None
        if len(values) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError(error)
    bad = {v for v in values if v < 0 or (v == 0 and not allow_zero)}
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{error}, including values {bad} that do not satisfy `value {requirement}`")
    return values


def standardize_padding(value, allow_causal=False):
    padding = str(value).lower()
    allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be a list/tuple or one of {sorted(allowed)}. Received: {value}")
    return padding


def validate_positive_int(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. Received: {name}={value}"
        )
    return value


def conv_output_length(length, kernel_size, padding, stride, dilation=1):
    """The output length of a convolution or pooling window along one axis (None stays None)."""
    if length is None:
        return None
    reach = (kernel_size - 1) * dilation + 1
    covered = length - reach + 1 if padding == "valid" else length
    return (covered + stride - 1) // stride


def conv_transpose_output_length(length, kernel_size, padding, output_padding, stride, dilation=1):
    if length is None:
        return None
    reach = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        return length * stride + (max(reach - stride, 0) if padding == "valid" else 0)
    pad = reach // 2 if padding == "same" else 0
    return (length - 1) * stride + reach - 2 * pad + output_padding
