"""The fused LSTM and GRU recurrences (backends/primitives/recurrent.py): forward against a numpy loop of
Keras's cell equations, time-major and feature-major as the primitives lay steps out; the gradient check
differentiates every stacked column (states and gates)."""

import numpy

from kerasish.backends.primitives.recurrent import gru_sequence, lstm_sequence

from . import Case, randn


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def lstm_reference(projected, h0, c0, recurrent_kernel):
    """Time-major and feature-major: projected (steps, 4·units, batch), output (steps + 1, 6·units, batch)."""
    units = h0.shape[1]
    h, c = h0, c0
    rows = [numpy.concatenate([h0, c0, numpy.zeros((h0.shape[0], 4 * units))], axis=1)]
    for x in projected.transpose(0, 2, 1):
        z = x + h @ recurrent_kernel
        i, f, o = _sigmoid(z[:, :units]), _sigmoid(z[:, units : 2 * units]), _sigmoid(z[:, 3 * units :])
        g = numpy.tanh(z[:, 2 * units : 3 * units])
        c = f * c + i * g
        h = o * numpy.tanh(c)
        rows.append(numpy.concatenate([h, c, i, f, g, o], axis=1))
    return numpy.stack(rows).transpose(0, 2, 1)


def gru_reference(projected, h0, recurrent_kernel, recurrent_bias):
    """Time-major and feature-major: projected (steps, 3·units, batch), output (steps + 1, 5·units, batch)."""
    units = h0.shape[1]
    h = h0
    rows = [numpy.concatenate([h0, numpy.zeros((h0.shape[0], 4 * units))], axis=1)]
    for x in projected.transpose(0, 2, 1):
        inner = h @ recurrent_kernel + recurrent_bias
        z = _sigmoid(x[:, :units] + inner[:, :units])
        r = _sigmoid(x[:, units : 2 * units] + inner[:, units : 2 * units])
        candidate = numpy.tanh(x[:, 2 * units :] + r * inner[:, 2 * units :])
        h = z * h + (1 - z) * candidate
        rows.append(numpy.concatenate([h, z, r, candidate, inner[:, 2 * units :]], axis=1))
    return numpy.stack(rows).transpose(0, 2, 1)


STEPS, BATCH, UNITS = 4, 2, 3

CASES = [
    Case(
        "lstm_sequence",
        lstm_sequence,
        [
            randn(STEPS, 4 * UNITS, BATCH, seed=1),
            randn(BATCH, UNITS, seed=2),
            randn(BATCH, UNITS, seed=3),
            randn(UNITS, 4 * UNITS, seed=4) * 0.5,
        ],
        lstm_reference,
        covers=("lstm_sequence_grad",),
    ),
    Case(
        "gru_sequence",
        gru_sequence,
        [
            randn(STEPS, 3 * UNITS, BATCH, seed=5),
            randn(BATCH, UNITS, seed=6),
            randn(UNITS, 3 * UNITS, seed=7) * 0.5,
            randn(3 * UNITS, seed=8),
        ],
        gru_reference,
        covers=("gru_sequence_grad",),
    ),
]
