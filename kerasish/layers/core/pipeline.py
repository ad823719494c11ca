"""Pipeline: applies a list of layers in order (Keras's pipeline of preprocessing layers). Unlike Sequential it
is a plain layer: no model, no summary; `training` defaults to True, as in Keras, and masks flow between the
layers."""

from kerasish.layers.layer import Layer, get_mask, set_mask
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer


class Pipeline(Layer):
    def __init__(self, layers, name=None):
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"`Pipeline` takes a list of layers. Received: layers={layers}")
        self.layers = list(layers)  # saved under `layers/`, as Keras's property is
        self.autocast = False  # each layer casts its own inputs

    def call(self, inputs, training=True, mask=None):
        if mask is not None and get_mask(inputs) is None:  # an explicit mask: the first layer reads it from its input
            set_mask(inputs, mask)
        for layer in self.layers:
            inputs = layer(inputs, training=training)
        return inputs

    def compute_mask(self, inputs, previous_mask):
        return None  # the output carries the mask its last layer gave it, or none

    def get_config(self):
        return {"layers": [serialize_layer(layer) for layer in self.layers], "name": self.name}

    @classmethod
    def from_config(cls, config):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                "`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
                f"Received config with layers={layers}."
            )
        return cls(**{**config, "layers": [deserialize_layer(layer) for layer in layers]})
