"""SimpleRNNCell and SimpleRNN: h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)."""

from kerasish import ops
from kerasish.layers.rnn.recurrent_cell import RecurrentCell
from kerasish.layers.rnn.rnn import RNN, cell_config


class SimpleRNNCell(RecurrentCell):
    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        inputs, h_tm1 = self.dropped(inputs, h_tm1)
        h = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + ops.matmul(h_tm1, self.recurrent_kernel))
        return output, [output] if isinstance(states, (list, tuple)) else output


class SimpleRNN(RNN):
    def __init__(
        self,
        units,
        activation="tanh",
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
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = SimpleRNNCell(
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
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell",
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

    def get_config(self):
        config = cell_config(self, super().get_config())
        del config["seed"]  # as Keras's SimpleRNN config
        return config
