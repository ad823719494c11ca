"""TimeDistributed: applies a layer to every time step, (batch, steps, ...) -> (batch, steps, ...)."""

from kerasish import ops
from kerasish.layers.core.wrapper import Wrapper


class TimeDistributed(Wrapper):
    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _check_rank(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {tuple(input_shape)}"
            )

    def build(self, input_shape):
        self._check_rank(input_shape)
        if not self.layer.built:
            self.layer.build((None,) + tuple(input_shape[2:]))

    def call(self, inputs, training=None):
        steps = inputs.shape[1]
        if steps is None:
            raise ValueError(f"the time axis of the input must be known, got input shape {tuple(inputs.shape)}")
        flat = ops.reshape(inputs, (-1,) + tuple(inputs.shape[2:]))
        outputs = self.layer(flat, training=training)
        return ops.reshape(outputs, (-1, steps) + tuple(outputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def compute_mask(self, inputs, previous_mask):
        return previous_mask
