"""Sequential: a plain stack of layers, each with one input and one output.

Once the input shape is known (an `Input` first, `input_shape=` on the first layer, `build()`, or the
first call) the stack is traced into a functional graph, as Keras 3 does.
"""

from kerasish import dtype_policies
from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic import KerasTensor
from kerasish.layers.input_layer import InputLayer
from kerasish.layers.layer import Layer
from kerasish.models.graph import FunctionalGraph
from kerasish.models.model import Model
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer


class Sequential(Model):
    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._layers = []
        self._graph = None
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise ValueError(
                f"Sequential: `layers` must be a list of layers, received {layers!r} (of type {type(layers).__name__})"
            )
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._layers:
            self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        if isinstance(layer, KerasTensor) and isinstance(getattr(layer.node, "operation", None), InputLayer):
            layer = layer.node.operation
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `kerasish.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                "argument to pass a unique name"
            )
        if isinstance(layer, InputLayer) and self._layers and isinstance(self._layers[0], InputLayer):
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input shape "
                f"{self._layers[0].batch_shape}. You cannot add a different Input layer to it"
            )
        if not self._layers and not isinstance(layer, InputLayer) and layer._input_shape_arg is not None:
            self._layers.append(InputLayer(shape=layer._input_shape_arg))
        self._layers.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built, self._graph = False, None

    def pop(self, rebuild=True):
        if not self.layers:
            raise TypeError(f"There are no layers in the Sequential model '{self.name}' to pop")
        layer = self._layers.pop()
        self.built, self._graph = False, None
        if rebuild:
            self._maybe_rebuild()
        return layer

    # Unlike a subclassed model, a Sequential builds its graph from the first input's shape.
    _build_on_call = Layer._build_on_call

    def _maybe_rebuild(self):
        self.built, self._graph = False, None
        if isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    @property
    def layers(self):
        layers = self._layers
        return list(layers[1:] if layers and isinstance(layers[0], InputLayer) else layers)

    def build(self, input_shape=None):
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. Call `model.add(layer)`"
            )
        input_shape = self._single_input(input_shape)
        if not isinstance(input_shape, (tuple, list)) or not all(d is None or isinstance(d, int) for d in input_shape):
            return
        input_shape = (None,) + tuple(input_shape[1:])
        if isinstance(self._layers[0], InputLayer):
            if tuple(self._layers[0].batch_shape[1:]) != input_shape[1:]:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._layers[0].batch_shape}. You cannot build it with input_shape "
                    f"{input_shape}"
                )
        else:
            self._layers.insert(0, InputLayer(batch_shape=input_shape, dtype=self._layers[0].dtype))
        inputs = x = self._layers[0].output
        for layer in self._layers[1:]:
            x = layer(x)
        self._graph = FunctionalGraph(inputs, x, self.name)
        self.built = True

    def _single_input(self, inputs):
        """The one input (or its shape) of this stack: as in Keras, a one-element list or tuple holds it (a
        shape `(n,)` is no such list), and so does a dict keyed by the input layer's name; a dict of other
        keys is an error naming them."""
        if type(inputs) is Tensor:  # the usual call, every step: the input itself
            return inputs
        one = isinstance(inputs, (list, tuple)) and len(inputs) == 1
        if one and not (inputs[0] is None or isinstance(inputs[0], int)):
            return inputs[0]
        if isinstance(inputs, dict):
            name = self._layers[0].name if self._layers and isinstance(self._layers[0], InputLayer) else None
            if len(inputs) == 1 and (name is None or name in inputs):
                return next(iter(inputs.values()))
            raise ValueError(
                f"a Sequential model takes one input{f' (named {name!r})' if name else ''}, received a "
                f"dict with keys {sorted(inputs)}"
            )
        return inputs

    def call(self, inputs, training=None, mask=None):
        inputs = self._single_input(inputs)
        if self._graph is not None:
            return self._graph.run([inputs])[0]
        outputs = inputs
        for layer in self.layers:
            outputs = layer(outputs)
        return outputs

    @property
    def inputs(self):
        return list(self._graph.inputs) if self._graph else None

    @property
    def outputs(self):
        return list(self._graph.outputs) if self._graph else None

    @property
    def input(self):
        return self._graph.inputs[0] if self._graph else None

    @property
    def output(self):
        return self._graph.outputs[0] if self._graph else None

    @property
    def output_names(self):
        return [self.layers[-1].name] if self.layers else ["output_0"]

    def get_config(self):
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policies.serialize(self.dtype_policy),
            "layers": [serialize_layer(layer) for layer in self._layers],
        }
        if self._graph is not None and not isinstance(self._layers[0], InputLayer):
            config["build_input_shape"] = self._graph.inputs[0].shape
        elif self._layers and isinstance(self._layers[0], InputLayer):
            config["build_input_shape"] = self._layers[0].batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            model.add(deserialize_layer(entry, custom_objects), rebuild=False)
        if model._layers:
            if isinstance(model._layers[0], InputLayer):
                model._maybe_rebuild()
            elif config.get("build_input_shape"):
                model.build(tuple(config["build_input_shape"]))
        return model
