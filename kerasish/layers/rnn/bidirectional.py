"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards, then merges both outputs."""

import copy

from kerasish import ops
from kerasish.layers.core.wrapper import Wrapper
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer

_MERGES = {
    "concat": lambda a, b: ops.concatenate([a, b], axis=-1),
    "sum": ops.add,
    "mul": ops.multiply,
    "ave": lambda a, b: (a + b) / 2,
}


class Bidirectional(Wrapper):
    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(layer, **kwargs)
        if merge_mode not in (*_MERGES, None):
            raise ValueError(
                f"Invalid merge mode. Received: merge_mode={merge_mode}. Merge mode should be one "
                "of {'sum', 'mul', 'ave', 'concat', None}"
            )
        forward = serialize_layer(layer)
        forward["config"] = {**forward["config"], "name": "forward_" + layer.name.removeprefix("forward_")}
        self.forward_layer = deserialize_layer(forward)
        if backward_layer is None:
            backward = copy.deepcopy(serialize_layer(layer))
            backward["config"].update(
                go_backwards=not layer.go_backwards, name="backward_" + layer.name.removeprefix("backward_")
            )
            backward_layer = deserialize_layer(backward)
        elif (
            backward_layer.return_sequences != layer.return_sequences
            or backward_layer.return_state != layer.return_state
        ):
            raise ValueError(
                "Forward layer and backward layer should have the same `return_sequences` and "
                f"`return_state`. Received: forward {layer.return_sequences}/{layer.return_state}, "
                f"backward {backward_layer.return_sequences}/{backward_layer.return_state}"
            )
        self.backward_layer = backward_layer
        del self.layer  # tracked through forward_layer, as Keras does
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        if weights is not None:
            half = len(weights) // 2
            self._pending_weights = (weights[:half], weights[half:])

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer.build(sequences_shape)
        self.backward_layer.build(sequences_shape)
        pending = getattr(self, "_pending_weights", None)
        if pending is not None:
            self.forward_layer.set_weights(pending[0])
            self.backward_layer.set_weights(pending[1])
            del self._pending_weights

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        forward = self.forward_layer.call(sequences, initial_state=forward_state, mask=mask, training=training)
        backward = self.backward_layer.call(sequences, initial_state=backward_state, mask=mask, training=training)
        if self.return_state:
            forward, forward_states = forward[0], forward[1:]
            backward, backward_states = backward[0], backward[1:]
        if self.return_sequences:
            backward = ops.flip(backward, axis=1)
        output = [forward, backward] if self.merge_mode is None else _MERGES[self.merge_mode](forward, backward)
        if not self.return_state:
            return output
        output = output if self.merge_mode is None else [output]
        return output + list(forward_states) + list(backward_states)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        output, states = (shape[0], shape[1:]) if self.return_state else (shape, [])
        if self.merge_mode == "concat":
            output = tuple(output[:-1]) + (output[-1] * 2,)
        outputs = [output, output] if self.merge_mode is None else [output]
        if self.return_state:
            return outputs + list(states) * 2
        return outputs[0] if self.merge_mode is not None else outputs

    def compute_mask(self, inputs, previous_mask):
        mask = previous_mask[0] if isinstance(previous_mask, (list, tuple)) else previous_mask
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            states = self.forward_layer.cell.state_size
            count = len(states) if isinstance(states, (list, tuple)) else 1
            return masks + [None] * (2 * count)
        return masks[0] if self.merge_mode is not None else masks

    def get_config(self):
        config = {key: value for key, value in super(Wrapper, self).get_config().items()}
        return {
            **config,
            "merge_mode": self.merge_mode,
            "layer": serialize_layer(self.forward_layer),
            "backward_layer": serialize_layer(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["backward_layer"] = deserialize_layer(config["backward_layer"], custom_objects)
        return super().from_config(config, custom_objects)
