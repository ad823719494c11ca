"""Model: a Layer that trains (compile/fit/evaluate/predict) and knows its layers.

`Model(inputs, outputs)` builds a functional model; subclassing Model and writing `call` gives a
subclassed one, as in Keras 3.
"""

import json

from kerasish.layers.layer import Layer, tensors_for_shapes
from kerasish.trainers.trainer import Trainer
from kerasish.utils import object_registration
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer
from kerasish.utils.summary import print_summary


def _functional_arguments(args, kwargs):
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or ("inputs" in kwargs and "outputs" in kwargs)


def _put_functional_in_bases(cls, functional):
    if cls is Model:
        return functional
    if cls is object or not issubclass(cls, Model):
        return cls
    cls.__bases__ = tuple(_put_functional_in_bases(base, functional) for base in cls.__bases__)
    return cls


class Model(Trainer, Layer):
    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_arguments(args, kwargs):
            functional = object_registration.built_in("models", "Functional")
            return functional.__new__(functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        functional = object_registration.built_in("models", "Functional")
        if _functional_arguments(args, kwargs) and not isinstance(self, functional):
            # `class MyModel(Model)` built as `MyModel(inputs, outputs)`: a functional model of the subclass,
            # as in Keras, which puts Functional in place of Model among the subclass's bases.
            _put_functional_in_bases(type(self), functional)
            functional.__init__(self, *args, **kwargs)
            return
        Trainer.__init__(self)
        Layer.__init__(self, *args, **kwargs)

    @property
    def layers(self):
        return self._tracked_layers()

    @property
    def input_shape(self):
        """The shape of the input (a list of shapes for several) of a functional or built Sequential model."""
        return self._symbolic_shapes("inputs", "input")

    @property
    def output_shape(self):
        return self._symbolic_shapes("outputs", "output")

    def _symbolic_shapes(self, attribute, what):
        tensors = getattr(self, attribute, None)
        if tensors is None:
            raise AttributeError(f"Model '{self.name}' has no defined {what} shape yet: it is not built on inputs")
        shapes = [tuple(tensor.shape) for tensor in tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    def build(self, input_shape=None):
        """Create the weights by running `call` on symbolic inputs of `input_shape`."""
        if input_shape is not None:
            self.call(tensors_for_shapes(input_shape))

    def _build_on_call(self, args, kwargs):
        """A model called on data builds its layers during that call, not in a symbolic pass first."""
        self.built = True

    def get_layer(self, name=None, index=None):
        """A layer by name or by position in `layers` (an int `name` counts as an index)."""
        if isinstance(name, int) and index is None:
            name, index = None, name
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model '{self.name}' "
                    f"only has {len(layers)} layers"
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}")
        raise ValueError("Provide either a layer name or layer index at `get_layer`")

    def _functional_graph(self):
        """The graph of layers `summary` and `plot_model` follow: a functional model's; None otherwise."""
        return None

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A functional config (with "layers" and "input_layers") rebuilds a functional model."""
        if cls is Model and "layers" in config and "input_layers" in config:
            return object_registration.built_in("models", "Functional").from_config(config, custom_objects)
        with object_registration.custom_object_scope(custom_objects):
            return super().from_config(config)

    def to_json(self, **kwargs):
        return json.dumps(serialize_layer(self), **kwargs)

    def save(self, filepath, overwrite=True, **kwargs):
        from kerasish import models

        return models.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from kerasish import models

        return models.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from kerasish import models

        return models.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format="onnx", verbose=True, input_signature=None, **kwargs):
        """The inference call as an ONNX file (`opset_version=18`, `data_format=None`); see kerasish.export."""
        from kerasish.export import export_model

        return export_model(self, filepath, format=format, verbose=verbose, input_signature=input_signature, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (new weights) from `model.to_json()`."""
    return deserialize_layer(json.loads(json_string), custom_objects)
