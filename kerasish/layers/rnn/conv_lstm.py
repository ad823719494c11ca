"""ConvLSTMCell and ConvLSTM1D/2D/3D: an LSTM whose input and recurrent transformations are convolutions
(Shi et al., 2015). The states are feature maps (batch, *output spatial size, filters); the input
convolution takes the layer's strides, padding and dilation, the recurrent one is stride 1 "same". Gates in
Keras's order i, f, c, o along the kernels' last axis."""

from kerasish import ops
from kerasish.layers.arguments import (
    conv_output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.rnn.lstm import LSTMCell
from kerasish.layers.rnn.rnn import RNN, cell_config

_CONVOLUTION_KEYS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate")


class ConvLSTMCell(LSTMCell):
    """An LSTMCell with `units` = `filters`: its arguments, dropout and forget-gate bias, convolutional weights."""

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}")
        super().__init__(
            filters,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
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
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide `strides=1` "
                f"or `dilation_rate=1`. Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def spatial(self, shape):
        return tuple(shape[2:]) if self.data_format == "channels_first" else tuple(shape[1:-1])

    def build(self, input_shape):
        spatial = self.spatial(input_shape)
        if None in spatial:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the spatial dimension. Received invalid "
                f"input shape: input_shape={tuple(input_shape)}"
            )
        channels = input_shape[self.channel_axis]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs (last axis) should be defined. Found None. Full input shape "
                f"received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = InputSpec(ndim=self.rank + 2, shape=(None,) + tuple(input_shape[1:]))
        width = 4 * self.filters
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=self.kernel_size + (self.filters, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(width,),
                initializer=self.bias_initializer_for(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def state_shape(self, input_shape):
        """A state's shape without the batch axis, for one step's input shape (batch axis included)."""
        spatial = tuple(
            conv_output_length(length, size, self.padding, stride, dilation)
            for length, size, stride, dilation in zip(
                self.spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate
            )
        )
        return (self.filters, *spatial) if self.data_format == "channels_first" else (*spatial, self.filters)

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states
        inputs, h_tm1 = self.dropped(inputs, h_tm1)
        z = ops.conv(
            inputs,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        ) + ops.conv(h_tm1, self.recurrent_kernel, padding="same", data_format=self.data_format)
        if self.bias is not None:
            z = z + ops.reshape(self.bias, (-1,) + (1,) * self.rank if self.data_format == "channels_first" else (-1,))
        i, f, c, o = ops.split(z, 4, axis=self.channel_axis)
        c = self.recurrent_activation(f) * c_tm1 + self.recurrent_activation(i) * self.activation(c)
        h = self.recurrent_activation(o) * self.activation(c)
        return h, [h, c]

    def compute_output_shape(self, input_shape, states_shape=None):
        state = (input_shape[0],) + self.state_shape(input_shape)
        return state, [state, state]

    def get_config(self):
        config = {key: value for key, value in super().get_config().items() if key != "units"}
        return {**config, "rank": self.rank, **{key: getattr(self, key) for key in _CONVOLUTION_KEYS}}


class ConvLSTM(RNN):
    """ConvLSTM1D/2D/3D set `rank`; sequences are (batch, time, *spatial, channels) (channels_last)."""

    rank = None

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
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
        **kwargs,
    ):
        cell = ConvLSTMCell(
            self.rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
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
            name="conv_lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def _initial_states(self, sequences, initial_state):
        if initial_state is not None:
            return super()._initial_states(sequences, initial_state)
        first = sequences[:, 0]
        state_shape = self.cell.state_shape(tuple(first.shape))
        batch_zeros = ops.zeros_like(first[(slice(None),) + (slice(0, 1),) * (self.rank + 1)])  # (batch, 1, ...)
        zeros = batch_zeros + ops.zeros(state_shape, dtype=sequences.dtype)
        return [zeros, zeros]

    def zero_output(self, states, sequences):
        return ops.zeros_like(states[0])

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch = sequences_shape[0]
        state = (batch,) + self.cell.state_shape((batch,) + tuple(sequences_shape[2:]))
        output = (batch, sequences_shape[1]) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def get_config(self):
        config = cell_config(self, super().get_config())
        del config["rank"]  # the class says it
        return config


class ConvLSTM1D(ConvLSTM):
    rank = 1


class ConvLSTM2D(ConvLSTM):
    rank = 2


class ConvLSTM3D(ConvLSTM):
    rank = 3
