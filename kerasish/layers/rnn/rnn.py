"""RNN: runs a cell over the time axis with `ops.scan`, so one loop serves both engines.

Supports `return_sequences`, `return_state`, `go_backwards`, an `initial_state` and a mask (from
`Embedding(mask_zero=True)`): at masked steps the states are carried over unchanged and the output
repeats the previous one (Keras's default, `zero_output_for_mask=False`).

LSTM and GRU, where Keras would run cuDNN, run their fused recurrence instead of the scan
(`_fused`, `fused_recurrence`): one input projection for all steps (`_projected_features`, time-major and
feature-major), then one `lstm_sequence` / `gru_sequence` (backends/primitives/recurrent.py; not in
`kerasish.ops`, which holds Keras's names).
"""

import inspect

from kerasish import activations, ops, regularizers
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer

_LAYER_KEYS = ("name", "trainable", "dtype")


def cell_config(layer, rnn_config):
    """A SimpleRNN/LSTM/GRU config as Keras writes it: the RNN's keys without `cell`, plus the cell's arguments."""
    cell = {key: value for key, value in layer.cell.get_config().items() if key not in _LAYER_KEYS}
    return {
        **{key: value for key, value in rnn_config.items() if key != "cell"},
        **cell,
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
    }


def fused_cell(cell):
    """Keras's cuDNN conditions on a cell (`keras/src/backend/tensorflow/rnn.py`): tanh, sigmoid, a bias,
    no recurrent dropout and, for a GRU, `reset_after=True`."""
    return (
        cell.activation in (activations.tanh, ops.tanh)
        and cell.recurrent_activation in (activations.sigmoid, ops.sigmoid)
        and cell.use_bias
        and not cell.recurrent_dropout
        and getattr(cell, "reset_after", True)
    )


def check_use_cudnn(use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            "Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, False}. "
            f"Received: use_cudnn={use_cudnn}"
        )
    return use_cudnn


def state_list(state_size):
    return list(state_size) if isinstance(state_size, (list, tuple)) else [state_size]


class RNN(Layer):
    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if stateful:
            raise ValueError(
                f"kerasish's recurrent layers do not support `stateful=True`. Received: stateful={stateful}"
            )
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(
                f"Argument `cell` should have a `call` method and a `state_size` attribute. Received: cell={cell!r}"
            )
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self._cell_takes_training = "training" in inspect.signature(cell.call).parameters

    @property
    def units(self):
        return self.cell.units

    def build(self, sequences_shape, initial_state_shape=None):
        if not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))

    def call(self, sequences, initial_state=None, mask=None, training=False):
        states = self._initial_states(sequences, initial_state)
        cell = self.cell
        if hasattr(cell, "prepare_dropout_masks"):
            cell.prepare_dropout_masks(sequences[:, 0], states[0], training)
        try:
            if self._fused(mask):
                last_output, outputs, states = self.fused_recurrence(sequences, states)
            else:
                last_output, outputs, states = self._scan(sequences, states, mask, training)
        finally:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()
        output = outputs if self.return_sequences else last_output
        return [output] + list(states) if self.return_state else output

    def _initial_states(self, sequences, initial_state):
        if initial_state is None:  # zeros (batch, size), the batch size read from the sequences themselves
            zero_column = ops.zeros_like(sequences[:, 0, :1])
            return [
                zero_column + ops.zeros((size,), dtype=sequences.dtype) for size in state_list(self.cell.state_size)
            ]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        expected = len(state_list(self.cell.state_size))
        if len(states) != expected:
            raise ValueError(
                f"expected {expected} initial state tensor(s) for a cell with state_size "
                f"{self.cell.state_size}, received {len(states)}"
            )
        return states

    def _fused(self, mask):
        """Whether this call runs the layer's fused recurrence (LSTM and GRU under Keras's cuDNN conditions,
        no mask)."""
        use_cudnn = getattr(self, "use_cudnn", False)
        if use_cudnn is False:
            return False
        supported = mask is None and not self.unroll and fused_cell(self.cell)
        if use_cudnn is True and not supported:
            raise ValueError(
                "use_cudnn=True was specified, but cuDNN is not supported for this layer configuration with this "
                "backend. Pass use_cudnn='auto' to fallback to a non-cuDNN implementation."
            )
        return supported

    def _projected_features(self, sequences):
        """Every step's (dropped) inputs times the cell's kernel, plus its input bias, in one matmul, time-major
        and feature-major: (steps, gates * units, batch), the steps in the order they run. [kernel; bias]ᵀ
        times each step's (features, batch) inputs over a row of ones: the bias costs no pass over the result
        and its gradient comes out of the kernel's product."""
        cell = self.cell
        if self.go_backwards:
            sequences = ops.flip(sequences, axis=1)
        if cell.dropout_mask is not None:
            sequences = sequences * ops.expand_dims(cell.dropout_mask, 1)
        steps = ops.transpose(sequences, (1, 2, 0))
        steps = ops.concatenate([steps, ops.ones_like(steps[:, :1])], axis=1)
        bias = cell.bias[0] if getattr(cell, "reset_after", False) else cell.bias
        weights = ops.concatenate([cell.kernel, ops.expand_dims(bias, 0)], axis=0)
        return ops.matmul(ops.transpose(weights), steps)

    def _scan(self, sequences, states, mask, training):
        rank = len(sequences.shape)
        steps = ops.transpose(sequences, (1, 0) + tuple(range(2, rank)))
        if mask is not None:  # (steps, batch, 1, ...): broadcast over each state's features
            mask = ops.transpose(ops.cast(mask, "bool"), (1, 0))
            for _ in range(len(states[0].shape) - 1):
                mask = ops.expand_dims(mask, -1)
        if self.go_backwards:
            steps = ops.flip(steps, axis=0)
            mask = None if mask is None else ops.flip(mask, axis=0)
        keyword = {"training": training} if self._cell_takes_training else {}

        def step(carry, inputs):
            previous_states, previous_output = carry
            x, keep = inputs if mask is not None else (inputs, None)
            output, new_states = self.cell.call(x, list(previous_states), **keyword)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if keep is not None:
                new_states = [ops.where(keep, new, old) for new, old in zip(new_states, previous_states)]
                output = ops.where(
                    keep, output, ops.zeros_like(output) if self.zero_output_for_mask else previous_output
                )
            return (new_states, output), output

        (states, last_output), outputs = ops.scan(
            step, (states, self.zero_output(states, sequences)), (steps, mask) if mask is not None else steps
        )
        outputs = ops.transpose(outputs, (1, 0) + tuple(range(2, len(outputs.shape))))
        return last_output, outputs, states

    def zero_output(self, states, sequences):
        """The output before the first step (what a masked first step repeats): zeros (batch, output_size)."""
        return ops.zeros_like(states[0][:, :1]) + ops.zeros((self.cell.output_size,), sequences.dtype)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, size = sequences_shape[0], self.cell.output_size
        output = (batch, sequences_shape[1], size) if self.return_sequences else (batch, size)
        if self.return_state:
            return [output] + [(batch, state) for state in state_list(self.cell.state_size)]
        return output

    def compute_mask(self, inputs, previous_mask):
        mask = previous_mask[0] if isinstance(previous_mask, (list, tuple)) else previous_mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(state_list(self.cell.state_size))
        return output_mask

    def get_config(self):
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_layer(self.cell),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "cell" in config:  # SimpleRNN, LSTM and GRU write their cell's arguments instead
            config["cell"] = deserialize_layer(config["cell"], custom_objects)
        return cls(**config)
