"""`clone_model`: the same architecture with new weights (Keras 3's `keras.models.clone_model`)."""

from kerasish.backends.symbolic import KerasTensor
from kerasish.backends.tree import flatten, map_structure
from kerasish.layers.input_layer import Input, InputLayer
from kerasish.layers.layer import Layer
from kerasish.models.functional import Functional
from kerasish.models.sequential import Sequential


def _clone_layer(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False, **kwargs):
    """Sequential and functional models are rebuilt layer by layer through `clone_function`
    (default: from the layer's config); a subclassed model through its own config."""
    if kwargs:
        raise ValueError(f"clone_model: unexpected keyword arguments {sorted(kwargs)}")
    clone_function = clone_function or _clone_layer
    if recursive:
        inner = clone_function

        def clone_function(layer):
            if isinstance(layer, (Sequential, Functional)):
                return clone_model(layer, clone_function=inner, call_function=call_function, recursive=True)
            return inner(layer)

    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_function)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, clone_function, call_function)
    if input_tensors is not None or call_function is not None:
        raise ValueError(
            f"clone_model: model '{model.name}' is subclassed, so `input_tensors` and `call_function` cannot be used"
        )
    return type(model).from_config(model.get_config())


def _clone_sequential(model, input_tensors, clone_function):
    layers = [clone_function(layer) for layer in model.layers]
    first = model._layers[0] if model._layers else None
    if input_tensors is not None:
        layers.insert(0, flatten(input_tensors)[0])
    elif isinstance(first, InputLayer):
        layers.insert(0, Input(batch_shape=first.batch_shape, dtype=first.dtype, name=first.name))
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, clone_function, call_function):
    graph = model._graph
    if input_tensors is None:
        new_inputs = [Input(batch_shape=t.shape, dtype=t.dtype, name=t.node.operation.name) for t in graph.inputs]
    else:
        new_inputs = flatten(input_tensors)
        if len(new_inputs) != len(graph.inputs):
            raise ValueError(
                f"clone_model: model '{model.name}' has {len(graph.inputs)} inputs but "
                f"{len(new_inputs)} input_tensors were given"
            )
    values = {id(old): new for old, new in zip(graph.inputs, new_inputs)}
    clones = {}
    for node in graph.nodes:
        operation = node.operation
        if isinstance(operation, Layer):
            if id(operation) not in clones:
                clones[id(operation)] = clone_function(operation)
            operation = clones[id(operation)]
        args = map_structure(lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, node.args)
        kwargs = map_structure(lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, node.kwargs)
        outputs = (
            call_function(operation, *args, **kwargs)
            if call_function and isinstance(operation, Layer)
            else operation(*args, **kwargs)
        )
        for old, new in zip(node.outputs, flatten(outputs)):
            values[id(old)] = new
    repack = iter([values[id(t)] for t in graph.outputs])
    outputs = map_structure(lambda _: next(repack), model._outputs_struct)
    repack_inputs = iter(new_inputs)
    inputs = map_structure(lambda _: next(repack_inputs), model._inputs_struct)
    return Functional(inputs, outputs, name=model.name, trainable=model.trainable)
