"""GRUCell and GRU (Keras gate order z, r, h; Keras 3 default `reset_after=True`, with separate input and
recurrent biases)."""

from kerasish import activations, ops
from kerasish.backends.primitives.recurrent import gru_sequence
from kerasish.layers.rnn.recurrent_cell import RecurrentCell
from kerasish.layers.rnn.rnn import RNN, cell_config, check_use_cudnn


class GRUCell(RecurrentCell):
    gates = 3

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        inputs, dropped_h = self.dropped(inputs, h_tm1)
        u = self.units
        input_bias, recurrent_bias = (
            (self.bias[0], self.bias[1]) if self.reset_after and self.bias is not None else (self.bias, None)
        )
        x = ops.matmul(inputs, self.kernel)
        if input_bias is not None:
            x = x + input_bias
        if self.reset_after:
            inner = ops.matmul(dropped_h, self.recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            z = self.recurrent_activation(x[:, :u] + inner[:, :u])
            r = self.recurrent_activation(x[:, u : 2 * u] + inner[:, u : 2 * u])
            candidate = self.activation(x[:, 2 * u :] + r * inner[:, 2 * u :])
        else:
            inner = ops.matmul(dropped_h, self.recurrent_kernel[:, : 2 * u])
            z = self.recurrent_activation(x[:, :u] + inner[:, :u])
            r = self.recurrent_activation(x[:, u : 2 * u] + inner[:, u:])
            candidate = self.activation(x[:, 2 * u :] + ops.matmul(r * dropped_h, self.recurrent_kernel[:, 2 * u :]))
        h = z * h_tm1 + (1 - z) * candidate
        return h, [h] if isinstance(states, (list, tuple)) else h

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


class GRU(RNN):
    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        reset_after=True,
        use_cudnn="auto",
        **kwargs,
    ):
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            reset_after=reset_after,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.use_cudnn = check_use_cudnn(use_cudnn)

    def fused_recurrence(self, sequences, states):
        """The whole sequence as one `gru_sequence` (per step [h, z, r, candidate, inner_h]ᵀ, time-major)."""
        units = self.units
        projected = self._projected_features(sequences)
        stacked = gru_sequence(projected, *states, self.cell.recurrent_kernel, self.cell.bias[1])
        last_h = ops.transpose(stacked[-1, :units])
        outputs = ops.transpose(stacked[1:, :units], (2, 0, 1)) if self.return_sequences else None
        return last_h, outputs, [last_h]

    def get_config(self):
        return cell_config(self, super().get_config())
