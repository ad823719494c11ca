"""RecurrentCell: what SimpleRNNCell, LSTMCell and GRUCell share — weights (input kernel, recurrent kernel,
bias, each with `gates * units` columns), their arguments and config, and dropout masks.

Dropout masks are drawn once per sequence (the same units dropped at every step, as Keras): the RNN
layer asks for them before its scan, so a static-engine scan body reuses them instead of drawing inside.
"""

from kerasish import activations, constraints, initializers, ops, random, regularizers
from kerasish.layers.arguments import validate_positive_int
from kerasish.layers.layer import Layer


class RecurrentCell(Layer):
    gates = 1

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
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = validate_positive_int(units, "units")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed) if self.dropout or self.recurrent_dropout else None
        self.state_size = units
        self.output_size = units
        self.reset_dropout_mask()

    def build(self, input_shape):
        width = self.gates * self.units
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=self.bias_shape(),
                initializer=self.bias_initializer_for(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def bias_shape(self):
        return (self.gates * self.units,)

    def bias_initializer_for(self):
        return self.bias_initializer

    # ----- dropout masks, drawn once per sequence ----------------------------------------------

    def reset_dropout_mask(self):
        self.dropout_mask = None
        self.recurrent_dropout_mask = None

    def prepare_dropout_masks(self, step_inputs, state, training):
        """Draw this sequence's masks (only while training): inputs-shaped and state-shaped."""
        if not training:
            return
        if self.dropout > 0:
            self.dropout_mask = random.dropout(ops.ones_like(step_inputs), self.dropout, seed=self.seed_generator)
        if self.recurrent_dropout > 0:
            self.recurrent_dropout_mask = random.dropout(
                ops.ones_like(state), self.recurrent_dropout, seed=self.seed_generator
            )

    def dropped(self, inputs, h_tm1):
        if self.dropout_mask is not None:
            inputs = inputs * self.dropout_mask
        if self.recurrent_dropout_mask is not None:
            h_tm1 = h_tm1 * self.recurrent_dropout_mask
        return inputs, h_tm1

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
