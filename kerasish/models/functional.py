"""Functional: a model defined by `Model(inputs, outputs)` over KerasTensors (lists, dicts, multi-io)."""

import collections

from kerasish import ops
from kerasish.backends.symbolic import KerasTensor
from kerasish.backends.tree import flatten, flatten_with_spec, map_structure, unflatten
from kerasish.layers.input_layer import InputLayer
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.models.graph import FunctionalGraph
from kerasish.models.model import Model
from kerasish.models.operation_nodes import (
    OperationCall,
    deserialize_constant,
    is_constant_entry,
    is_operation_entry,
    serialize_constant,
    serialize_operation,
)
from kerasish.utils.object_serialization import deserialize_layer, serialize_layer


class Functional(Model):
    def __init__(self, inputs, outputs, name=None, **kwargs):
        trainable = kwargs.pop("trainable", True)
        Model.__init__(self, name=name or "functional", trainable=trainable, **kwargs)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._graph = FunctionalGraph(inputs, outputs, self.name)
        self._outputs_spec = flatten_with_spec(outputs)[1]  # how `call` packs the graph's flat outputs
        self._operations = self._graph.layers
        _check_unique_names(self._operations, self.name)
        # the graph holds a dict's inputs in sorted key order (kerasish.tree)
        names = sorted(inputs) if isinstance(inputs, dict) else [t.node.operation.name for t in self._graph.inputs]
        self.input_spec = [
            InputSpec(shape=t.shape, name=name, allow_last_axis_squeeze=True, optional=t.node.operation.optional)
            for name, t in zip(names, self._graph.inputs)
        ]
        self.built = True

    @property
    def layers(self):
        return list(self._operations)

    @property
    def inputs(self):
        return list(self._graph.inputs)

    @property
    def outputs(self):
        return list(self._graph.outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    def _standardize_inputs(self, inputs):
        """The flat list of input values in the order of the model's inputs; dicts match by key or
        input name (input_spec has checked that none is missing)."""
        values = [inputs[spec.name] for spec in self.input_spec] if isinstance(inputs, dict) else flatten(inputs)
        return [_fit_rank(value, tensor) for value, tensor in zip(values, self._graph.inputs)]

    def call(self, inputs, training=None, mask=None):
        return unflatten(self._outputs_spec, self._graph.run(self._standardize_inputs(inputs)))

    # ----- configuration -------------------------------------------------------------------

    def _functional_graph(self):
        return self._graph

    def get_config(self):
        node_index = self.node_references()
        layers = []
        for layer in self._operations:
            entry = serialize_layer(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [
                {
                    "args": _serialize_arguments(node.args, node_index),
                    "kwargs": _serialize_arguments(node.kwargs, node_index),
                }
                for node in self._graph.nodes
                if node.operation is layer
            ]
            layers.append(entry)
        for node in self._graph.nodes:
            if not isinstance(node.operation, Layer):
                entry, args = serialize_operation(node, node_index[id(node)][0], self.name)
                entry["name"] = node_index[id(node)][0]
                entry["inbound_nodes"] = [{"args": _serialize_arguments(args, node_index), "kwargs": {}}]
                layers.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": _tensor_references(self._inputs_struct, node_index),
            "output_layers": _tensor_references(self._outputs_struct, node_index),
        }

    def node_references(self):
        """id(node) -> (name, index): the operation's name and the node's position among that operation's
        nodes in this model, as Keras's keras_history counts them. An op node gets its op's name (`multiply`,
        `multiply_1`, ...), as Keras names its Operations, distinct from every layer's."""
        counts, suffixes, references = {}, {}, {}
        names = {layer.name for layer in self._operations}
        for tensor in self._graph.inputs:
            references[id(tensor.node)] = (tensor.node.operation.name, 0)
        for node in self._graph.nodes:
            key = node.operation.name
            if isinstance(node.operation, Layer):
                references[id(node)] = (key, counts.get(key, 0))
                counts[key] = counts.get(key, 0) + 1
                continue
            name = key
            while name in names:
                suffixes[key] = suffixes.get(key, 0) + 1
                name = f"{key}_{suffixes[key]}"
            names.add(name)
            references[id(node)] = (name, 0)
        return references

    @classmethod
    def from_config(cls, config, custom_objects=None):
        created, pending, tensors = {}, [], {}
        for entry in config["layers"]:
            if is_operation_entry(entry):
                created[entry["name"]] = OperationCall(entry)
            else:
                layer = deserialize_layer(
                    {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")}, custom_objects
                )
                created[entry["name"]] = layer
                if isinstance(layer, InputLayer):
                    tensors[(layer.name, 0)] = [layer.output]
            pending += [(entry["name"], index, node) for index, node in enumerate(entry["inbound_nodes"])]
        while pending:
            remaining = [item for item in pending if not _replay_node(item, created, tensors)]
            if len(remaining) == len(pending):
                raise ValueError(
                    f"Model config of '{config.get('name')}' cannot be rebuilt: the inbound nodes of "
                    f"{sorted({name for name, _, _ in remaining})} refer to missing layers"
                )
            pending = remaining
        inputs = _resolve_references(config["input_layers"], tensors)
        outputs = _resolve_references(config["output_layers"], tensors)
        return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _check_unique_names(layers, model_name):
    """Layers are found by name (`get_layer`, saved weights, configs): two of one name would be confused."""
    counts = collections.Counter(layer.name for layer in layers)
    repeated = [f'The name "{name}" is used {count} times in the model' for name, count in counts.items() if count > 1]
    if repeated:
        raise ValueError(f"Model '{model_name}': {'; '.join(repeated)}. All layer names should be unique.")


def _fit_rank(value, tensor):
    """Like Keras, a (batch,) array feeds an input declared (None, 1)."""
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) == len(tensor.shape) - 1 and tensor.shape[-1] == 1:
        return ops.expand_dims(value, -1)
    return value


def _history(tensor, node_index):
    name, index = node_index[id(tensor.node)]
    return [name, index, tensor.index]


def _serialize_arguments(structure, node_index):
    def one(x):
        if isinstance(x, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {"shape": list(x.shape), "dtype": x.dtype.name, "keras_history": _history(x, node_index)},
            }
        return serialize_constant(x)

    return map_structure(one, list(structure) if isinstance(structure, tuple) else structure)


def _tensor_references(structure, node_index):
    if isinstance(structure, KerasTensor):
        return [_history(structure, node_index)]
    return map_structure(lambda t: _history(t, node_index), structure)


def _is_tensor_reference(x):
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _replay_node(item, created, tensors):
    name, index, node = item
    references = [x["config"]["keras_history"] for x in _leaves(node) if _is_tensor_reference(x)]
    if any((ref[0], ref[1]) not in tensors for ref in references):
        return False

    def value(x):
        if _is_tensor_reference(x):
            layer, node_index, tensor_index = x["config"]["keras_history"]
            return tensors[(layer, node_index)][tensor_index]
        return deserialize_constant(x)

    args = [_map_config(value, a) for a in node["args"]]
    kwargs = {k: _map_config(value, v) for k, v in node["kwargs"].items()}
    outputs = created[name](*args, **kwargs)
    tensors[(name, index)] = flatten(outputs)
    return True


def _map_config(function, structure):
    if _is_tensor_reference(structure) or is_constant_entry(structure):
        return function(structure)
    if isinstance(structure, dict):
        return {k: _map_config(function, v) for k, v in structure.items()}
    if isinstance(structure, list):
        return [_map_config(function, v) for v in structure]
    return function(structure)


def _leaves(structure):
    if _is_tensor_reference(structure):
        return [structure]
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in _leaves(v)]
    if isinstance(structure, list):
        return [leaf for v in structure for leaf in _leaves(v)]
    return [structure]


def _resolve_references(structure, tensors):
    def one(reference):
        return tensors[(reference[0], reference[1])][reference[2]]

    if isinstance(structure, dict):
        return {key: one(ref[0] if isinstance(ref[0], list) else ref) for key, ref in structure.items()}
    if len(structure) == 1 and isinstance(structure[0], list):
        return one(structure[0])
    if structure and not isinstance(structure[0], list):
        return one(structure)
    return [one(reference) for reference in structure]
