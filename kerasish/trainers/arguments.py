"""The arguments of fit/evaluate/predict checked at the API edge, worded as Keras words them.

A bad count (a batch size, a number of steps or epochs) would otherwise loop forever or quietly do
something else; each check returns the value as a Python int (numpy integers are accepted).
"""

import numbers

from kerasish.layers.arguments import validate_positive_int


def _as_int(value):
    return int(value) if isinstance(value, numbers.Integral) and not isinstance(value, bool) else value


def positive_int_or_none(value, name):
    """None, or a positive integer: `batch_size`, `steps_per_epoch`, `validation_steps`, `steps`."""
    return None if value is None else validate_positive_int(_as_int(value), name)


def non_negative_int(value, name):
    """`epochs` and `initial_epoch`: 0 is allowed (nothing to train), negatives and non-integers are not."""
    value = _as_int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a non-negative integer. Received: {name}={value!r}"
        )
    return value


def check_validation_split(validation_split):
    if (
        isinstance(validation_split, bool)
        or not isinstance(validation_split, numbers.Real)
        or not (0 <= validation_split < 1)
    ):
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split!r}")


def check_validation_freq(validation_freq):
    """An int `n` (validate every n epochs) or a collection of the 1-based epochs to validate after."""
    if isinstance(validation_freq, (list, tuple, set)):
        values = list(validation_freq)
    elif isinstance(validation_freq, numbers.Integral) and not isinstance(validation_freq, bool):
        values = [validation_freq]
    else:
        raise ValueError(
            f"Expected `validation_freq` to be a list or int, received validation_freq={validation_freq!r}"
        )
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in values):
        raise ValueError(
            f"`validation_freq` must be a positive int or a list of positive epoch numbers, "
            f"received validation_freq={validation_freq!r}"
        )
