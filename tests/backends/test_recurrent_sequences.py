"""The fused recurrence primitives' shape rules and their missing second order (forward and first-order
gradients are checked with every primitive, from tests/backends/cases/recurrent.py)."""

import numpy
import pytest

import kerasish
from kerasish import ops
from kerasish.backends.dynamic import Tensor
from kerasish.backends.primitives.recurrent import gru_sequence, lstm_sequence


def zeros(*shape):
    return numpy.zeros(shape, "float32")


@pytest.mark.parametrize(
    "arguments, message",
    [
        ((zeros(3, 8, 2), zeros(2, 3), zeros(2, 2), zeros(2, 8)), r"h0 must have shape \(2, 2\)"),
        (
            (zeros(3, 8, 2), zeros(2, 2), zeros(2, 2), zeros(8)),
            r"the recurrent kernel must have shape \(units, 4",
        ),
        ((zeros(3, 6, 2), zeros(2, 2), zeros(2, 2), zeros(2, 8)), r"projected must have shape \(3, 8, 2\)"),
    ],
)
def test_lstm_sequence_shape_errors_name_the_op(arguments, message):
    with pytest.raises(ValueError, match=f"lstm_sequence: {message}"):
        lstm_sequence(*arguments)


def test_gru_sequence_checks_the_recurrent_bias():
    with pytest.raises(ValueError, match=r"gru_sequence: recurrent_bias must have shape \(6,\)"):
        gru_sequence(zeros(3, 6, 2), zeros(2, 2), zeros(2, 6), zeros(4))


@pytest.mark.parametrize(
    "op, inputs",
    [
        (lstm_sequence, (zeros(3, 8, 2) + 0.1, zeros(2, 2), zeros(2, 2), zeros(2, 8) + 0.2)),
        (gru_sequence, (zeros(3, 6, 2) + 0.1, zeros(2, 2), zeros(2, 6) + 0.2, zeros(6))),
    ],
)
def test_second_order_through_the_primitive_is_a_clear_error(op, inputs):
    projected = Tensor(inputs[0])
    with kerasish.GradientTape() as outer:
        outer.watch(projected)
        with kerasish.GradientTape() as inner:
            inner.watch(projected)
            loss = ops.sum(ops.square(op(projected, *inputs[1:])))
        first = ops.sum(ops.square(inner.gradient(loss, projected)))
    with pytest.raises(NotImplementedError, match=r"_sequence_grad: .*pass use_cudnn=False"):
        outer.gradient(first, projected)
