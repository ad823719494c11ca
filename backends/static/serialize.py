"""save(fn, path) / load(path): a compiled function as one HDF5 file holding a JSON graph and arrays.

The file holds the graph before optimisation (the passes run again at load), the constants and
the variables' current values. Loading rebuilds every node through the registry's shape rules, so
only registered primitives (and the control-flow nodes) are accepted and a tampered shape is
caught; arrays are read through backends/io/hdf5 as plain numeric datasets stored in the file (no
external storage, links or virtual datasets). Nothing is pickled.
"""

import json
import os

import numpy

from ..io import hdf5
from ..io.atomic_file import atomic_path
from ..io.read_errors import reading
from ..primitives.registry import PRIMITIVES
from ..variable import Variable
from . import control_flow
from .engine import apply
from .graph import Graph, Symbol
from .walk import topological

FORMAT = "kerasish-static-function"
KIND = "kerasish static function file"
VERSION = 1
GRAPH_LIMIT = 256 * 2**20  # bytes of graph.json; a ResNet152 training step's is a few MB
# `save` writes arrays uncompressed, so all the arrays of a file hold at most about its size: a file
# whose compressed arrays would inflate past this many times its size (plus a margin) is refused
ARRAY_BYTES_PER_FILE_BYTE, ARRAY_BYTES_MARGIN = 4, 64 * 2**20
CONTROL = {op.name: op for op in (control_flow.SCAN, control_flow.COND, control_flow.WHILE, control_flow.COMPONENT)}


def save(fn, path):
    """Write the compiled function `fn` (from static.function) to `path` atomically."""
    import h5py

    writer = _Writer()
    variables = {}
    graph = writer.graph(fn.inputs, list(fn.outputs) + [value for _, value in fn.updates], variables)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "name": fn.name,
        "passes": sorted(fn.passes),
        "single": fn.single,
        "outputs": len(fn.outputs),
        "graph": graph,
        "updates": [variables.setdefault(id(v), (len(variables), v))[0] for v, _ in fn.updates],
    }
    with atomic_path(path) as temporary, h5py.File(temporary, "w") as f:
        f.create_dataset("graph.json", data=numpy.frombuffer(json.dumps(document).encode(), dtype=numpy.uint8))
        for key, array in writer.arrays.items():
            f.create_dataset(f"constants/{key}", data=array)
        for index, variable in sorted(variables.values(), key=lambda entry: entry[0]):
            dataset = f.create_dataset(f"variables/{index}", data=variable.numpy())
            dataset.attrs["name"] = variable.name
            dataset.attrs["trainable"] = variable.trainable


class _Writer:
    def __init__(self):
        self.arrays = {}

    def graph(self, params, outputs, variables):
        ids = {id(p): i for i, p in enumerate(params)}
        nodes = []
        for node in topological(outputs):
            if id(node) in ids:
                continue
            ids[id(node)] = len(ids)
            nodes.append(self.node(node, ids, variables))
        refs = [self.ref(o, ids) for o in outputs]
        return {"params": [_spec(p) for p in params], "nodes": nodes, "outputs": refs}

    def node(self, node, ids, variables):
        entry = {"kind": node.kind, "name": node.name}
        if node.kind == "placeholder":
            raise ValueError(f"save: placeholder {node.name!r} is used but is not an input of the function")
        if node.kind == "constant":
            key = str(len(self.arrays))
            self.arrays[key] = numpy.asarray(node.value)
            entry["value"] = key
        elif node.kind == "variable":
            entry["variable"] = variables.setdefault(id(node.variable), (len(variables), node.variable))[0]
        else:
            entry.update(
                op=node.op.name,
                inputs=[self.ref(x, ids) for x in node.inputs],
                attrs=self.attrs(node.attrs, variables),
                **_spec(node),
            )
        return entry

    def ref(self, x, ids):
        if isinstance(x, Symbol):
            return {"node": ids[id(x)]}
        return {"scalar": x, "type": type(x).__name__}

    def attrs(self, attrs, variables):
        result = {}
        for key, value in attrs.items():
            if isinstance(value, control_flow.Body):
                result[key] = {"body": self.graph(value.params, list(value.outputs), variables)}
            else:
                result[key] = {"value": _jsonable(value)}
        return result


def _spec(node):
    return {"shape": list(node.shape), "dtype": numpy.dtype(node.dtype).str}


def _jsonable(value):
    if isinstance(value, tuple):
        return {"tuple": [_jsonable(v) for v in value]}
    if isinstance(value, (numpy.integer, numpy.floating, numpy.bool_)):
        return value.item()
    return value


def _restore(value):
    if isinstance(value, dict):
        if set(value) != {"tuple"}:
            raise ValueError(f"unexpected attribute value {value!r}")
        return tuple(_restore(v) for v in value["tuple"])
    if isinstance(value, list):
        raise ValueError(f"unexpected attribute value {value!r}")
    return value


# ----- loading ------------------------------------------------------------------------------


def load(path, passes=None, device=None):
    """A callable Function from a file written by `save`. Its variables are new kerasish.Variables
    (`fn.variables`) holding the saved values; `passes`/`device` default to the saved choice/current.
    The file is read through backends/io/hdf5: numeric data stored in the file itself, nothing else."""
    from .function import Function

    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {path}")
    with hdf5.open_file(path, kind=KIND) as root, reading(path, KIND):
        document = json.loads(bytes(root.dataset("graph.json").read(limit=GRAPH_LIMIT)).decode())
        remaining = ARRAY_BYTES_PER_FILE_BYTE * os.path.getsize(path) + ARRAY_BYTES_MARGIN
        arrays, variables = {}, {}
        for key, dataset in _datasets(root, "constants"):
            arrays[key] = dataset.read(limit=remaining)
            remaining -= arrays[key].nbytes
        for key, dataset in _datasets(root, "variables"):
            value = dataset.read(limit=remaining)
            remaining -= value.nbytes
            name, trainable = _text(dataset.attrs["name"]), bool(dataset.attrs["trainable"])
            variables[int(key)] = Variable(value, dtype=value.dtype, name=name, trainable=trainable)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"load: {path} is not a kerasish static function file")
    if document.get("version") != VERSION:
        raise ValueError(f"load: {path} has format version {document.get('version')}, this kerasish reads {VERSION}")
    try:
        reader = _Reader(arrays, variables)
        graph = Graph(name=str(document["name"]))
        with graph.as_default():
            inputs, roots = reader.graph(document["graph"], graph)
        count = int(document["outputs"])
        updates = [(variables[int(index)], value) for index, value in zip(document["updates"], roots[count:])]
        outputs = roots[0] if document["single"] else roots[:count]
        passes = document["passes"] if passes is None else passes
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
        raise ValueError(f"load: {path} holds a corrupt or tampered graph: {error}") from error
    fn = Function(inputs, outputs, updates, passes, device, str(document["name"]))
    fn.variables = [variables[i] for i in sorted(variables)]
    return fn


class _Reader:
    def __init__(self, arrays, variables):
        self.arrays, self.variables = arrays, variables

    def graph(self, description, graph):
        from .graph import placeholder

        params = [
            placeholder(tuple(p["shape"]), numpy.dtype(p["dtype"]), name=f"input_{i}")
            for i, p in enumerate(description["params"])
        ]
        nodes = list(params)
        for entry in description["nodes"]:
            nodes.append(self.node(entry, nodes, graph))
        return params, [self.ref(r, nodes) for r in description["outputs"]]

    def node(self, entry, nodes, graph):
        kind = entry["kind"]
        if kind == "constant":
            value = self.arrays[entry["value"]]
            return Symbol(graph, "constant", None, (), {}, value.shape, value.dtype, name=entry["name"], value=value)
        if kind == "variable":
            return graph.variable_node(self.variables[int(entry["variable"])])
        if kind != "op":
            raise ValueError(f"node kind {kind!r} cannot appear inside a saved graph")
        name = entry["op"]
        inputs = [self.ref(r, nodes) for r in entry["inputs"]]
        if name in CONTROL:
            attrs = {
                key: self.body(value, graph) if "body" in value else _restore(value["value"])
                for key, value in entry["attrs"].items()
            }
            symbol = Symbol(
                graph,
                "op",
                CONTROL[name],
                inputs,
                attrs,
                tuple(entry["shape"]),
                numpy.dtype(entry["dtype"]),
                name=entry["name"],
                value={} if name != "component" else None,
            )
            if name == "component":
                inputs[0].value[attrs["index"]] = symbol
            return symbol
        prim = PRIMITIVES.get(name)
        if prim is None:
            raise ValueError(f"unknown primitive {name!r} (only registered primitives are accepted)")
        attrs = {key: _restore(value["value"]) for key, value in entry["attrs"].items()}
        symbol = apply(prim, inputs, attrs)
        if list(symbol.shape) != [d for d in entry["shape"]]:
            raise ValueError(f"{name}: the file says shape {tuple(entry['shape'])}, its inputs give {symbol.shape}")
        return symbol

    def body(self, value, parent):
        graph = Graph(parent=parent, name="body")
        with graph.as_default():
            params, outputs = self.graph(value["body"], graph)
        return control_flow.Body(graph, params, outputs)

    def ref(self, ref, nodes):
        if "node" in ref:
            index = ref["node"]
            if not isinstance(index, int) or not 0 <= index < len(nodes):
                raise ValueError(f"reference to node {index!r}, which is not defined before its use")
            return nodes[index]
        kinds = {"float": float, "int": int, "bool": bool}
        if ref.get("type") not in kinds:
            raise ValueError(f"bad scalar {ref!r}")
        return kinds[ref["type"]](ref["scalar"])


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _datasets(root, name):
    """(key, Dataset) for every member of the group `name` (none when the file has no such group)."""
    if not root.has(name):
        return []
    group = root.group(name)
    return [(key, group.dataset(key)) for key in group.names()]
