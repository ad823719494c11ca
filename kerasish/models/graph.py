"""The graph of a functional model: the calls recorded on KerasTensors, replayed on real tensors.

Built once from the model's input and output KerasTensors; running it calls each recorded layer
(or primitive) in topological order with the values its inputs got.
"""

from kerasish.backends.dynamic import Tensor
from kerasish.backends.symbolic import KerasTensor
from kerasish.backends.tree import flatten, is_nested, map_structure
from kerasish.layers.input_layer import InputLayer
from kerasish.layers.layer import Layer


def _substitute(structure, values):
    return map_structure(lambda x: values[id(x)] if isinstance(x, KerasTensor) else x, structure)


def _flat_arguments(node):
    """How `run` fills in a node's arguments without walking structures: for `operation(x)` (a chain's node),
    the tensor's id; for a call whose arguments are all leaves, ([(tensor id or None, value)] per positional
    argument, [(name, tensor id or None, value)] per keyword); None when an argument is nested."""
    if len(node.args) == 1 and not node.kwargs and isinstance(node.args[0], KerasTensor):
        return id(node.args[0])
    if any(is_nested(x) for x in node.args) or any(is_nested(x) for x in node.kwargs.values()):
        return None

    def slot(x):
        return (id(x), None) if isinstance(x, KerasTensor) else (None, x)

    return [slot(x) for x in node.args], [(name, *slot(x)) for name, x in node.kwargs.items()]


class FunctionalGraph:
    def __init__(self, inputs, outputs, model_name):
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        for position, tensor in enumerate(self.inputs):
            if not isinstance(tensor, KerasTensor) or not isinstance(
                getattr(tensor.node, "operation", None), InputLayer
            ):
                raise ValueError(
                    f"Model '{model_name}': input {position} must be a KerasTensor made by "
                    f"kerasish.Input, received {tensor!r}"
                )
        for position, tensor in enumerate(self.outputs):
            if not isinstance(tensor, KerasTensor):
                raise ValueError(
                    f"Model '{model_name}': output {position} must be a KerasTensor, received {type(tensor).__name__}"
                )
        self.nodes = self._ordered_nodes(model_name)
        self.layers = self._operations()
        # per node: (node, its arguments for `run`, the ids of its outputs, the ids released after it)
        self._steps = [
            (node, _flat_arguments(node), tuple(id(t) for t in node.outputs), released)
            for node, released in zip(self.nodes, self._last_uses())
        ]
        self._input_keys = [id(t) for t in self.inputs]
        self._output_keys = [id(t) for t in self.outputs]

    def _ordered_nodes(self, model_name):
        """Every node between the inputs and the outputs, parents first (depth-first from the outputs)."""
        known = {id(t) for t in self.inputs}
        order, visited = [], set()
        input_nodes = {id(t.node) for t in self.inputs}

        def visit(tensor, path):
            node = tensor.node
            if id(tensor) in known or id(node) in visited:
                return
            if node is None or id(node) in input_nodes or isinstance(node.operation, InputLayer):
                layers = ", ".join(getattr(n.operation, "name", str(n.operation)) for n in path)
                raise ValueError(
                    f"Model '{model_name}': graph disconnected: cannot obtain a value for tensor "
                    f"{tensor.name} (shape {tensor.shape}) needed by {layers or 'the outputs'}; "
                    "it does not come from the model's inputs"
                )
            for parent in node.parents:
                visit(parent, path + [node])
            visited.add(id(node))
            order.append(node)

        for tensor in self.outputs:
            visit(tensor, [])
        return order

    def _operations(self):
        """The layers (the input layers included) in Keras's order of `model.layers`: by depth, the layers
        farthest from the outputs first; within a depth, in the order a depth-first walk from the outputs
        first reaches them. An unused input has depth 0 and leads that depth."""
        input_nodes = {id(t.node) for t in self.inputs}
        first_reached, post_order, visited = {}, [], set()

        def visit(tensor):
            node = tensor.node
            if id(node) in visited:
                return
            visited.add(id(node))
            first_reached.setdefault(id(node.operation), len(first_reached))
            if id(node) not in input_nodes:
                for parent in node.parents:
                    visit(parent)
            post_order.append(node)

        for tensor in self.outputs:
            visit(tensor)
        node_depths, depths, operations = {}, {}, {}
        for node in reversed(post_order):
            key = id(node.operation)
            depth = max(node_depths.setdefault(id(node), 0), depths.get(key, 0))
            depths[key], node_depths[id(node)], operations[key] = depth, depth, node.operation
            if id(node) not in input_nodes:
                for parent in node.parents:
                    node_depths[id(parent.node)] = max(depth + 1, node_depths.get(id(parent.node), 0))
        for tensor in self.inputs:
            key = id(tensor.node.operation)
            if key not in depths:
                depths[key], first_reached[key], operations[key] = 0, -1, tensor.node.operation
        order = sorted(depths, key=lambda key: (-depths[key], first_reached[key]))
        return [operations[key] for key in order if isinstance(operations[key], Layer)]

    def _last_uses(self):
        """For each node, the tensors no later node reads (the model's outputs excepted): `run` lets go of
        them once the node has run, so an inference pass holds only the activations still ahead of use."""
        last = {}
        for position, node in enumerate(self.nodes):
            for parent in node.parents:
                last[id(parent)] = position
        for tensor in self.outputs:
            last.pop(id(tensor), None)
        released = [[] for _ in self.nodes]
        for key, position in last.items():
            released[position].append(key)
        return released

    def run(self, inputs):
        """The outputs (flat list) for the flat list of input values."""
        values = dict(zip(self._input_keys, inputs))
        for node, arguments, output_keys, released in self._steps:
            if type(arguments) is int:
                outputs = node.operation(values[arguments])
            elif arguments is None:
                outputs = node.operation(*_substitute(node.args, values), **_substitute(node.kwargs, values))
            else:
                positional, keywords = arguments
                outputs = node.operation(
                    *[value if key is None else values[key] for key, value in positional],
                    **{name: value if key is None else values[key] for name, key, value in keywords},
                )
            if type(outputs) is Tensor and output_keys:  # a leaf: no structure to flatten
                values[output_keys[0]] = outputs
            else:
                values.update(zip(output_keys, flatten(outputs)))
            for key in released:
                del values[key]
        return list(map(values.__getitem__, self._output_keys))
