"""The host stage of a model: its leading host layers (TextVectorization, StringLookup, Hashing, ...:
see host_layer), which `fit`, `evaluate` and `predict` apply to the data on the host, batch by batch in
the data pipeline (all at once for arrays), before it reaches the engine. Inside the steps (run eagerly
or traced into a static graph) those layers are then the identity and the model checks its inputs against
what the stage gives, so one model takes strings on both engines.

A model's host stage is, for each input, the chain of host layers that input alone feeds, from the
input on (the leading host layers of a Sequential).
"""

import contextlib
import weakref

from kerasish.backends.tree import flatten, pack_sequence_as
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.preprocessing.host_layer import HostLayer, applied_by_pipeline


def _consumers(graph, tensor):
    return [node for node in graph.nodes if any(parent is tensor for parent in node.parents)]


_STAGES = weakref.WeakKeyDictionary()  # model -> (its graph, the stage found in it): steps ask every batch


def host_stage(model):
    """{input position: [host layers, in order]} of a built functional or Sequential model; {} if none."""
    graph = getattr(model, "_graph", None)
    if graph is None or not hasattr(graph, "nodes"):
        return {}
    cached = _STAGES.get(model)
    if cached is None or cached[0] is not graph:
        cached = _STAGES[model] = (graph, _stage_in(graph))
    return cached[1]


def _stage_in(graph):
    stage = {}
    for position, tensor in enumerate(graph.inputs):
        chain = []
        while True:
            consumers = _consumers(graph, tensor)
            if len(consumers) != 1 or not isinstance(consumers[0].operation, HostLayer):
                break
            node = consumers[0]
            if len(node.parents) != 1 or len(node.outputs) != 1:
                break
            chain.append(node.operation)
            tensor = node.outputs[0]
            if any(tensor is output for output in graph.outputs):
                break
        if chain:
            stage[position] = chain
    return stage


def _build_if_needed(model, x):
    """A Sequential led by a host layer learns its input from the first data: build it from the raw data,
    before the stage changes it."""
    if model.built or not hasattr(model, "_single_input"):  # asked first: `layers` walks the model
        return
    layers = getattr(model, "layers", None)
    if layers and isinstance(layers[0], HostLayer):
        first = model._single_input(x)
        if hasattr(first, "shape"):
            model.build(tuple(first.shape))


def _apply(stage, x, names):
    if isinstance(x, dict):
        by_name = {names[i]: chain for i, chain in stage.items()}
        return {key: _apply_chain(by_name[key], value) if key in by_name else value for key, value in x.items()}
    leaves = flatten(x)
    leaves = [_apply_chain(stage[i], leaf) if i in stage else leaf for i, leaf in enumerate(leaves)]
    return pack_sequence_as(x, leaves)


def _apply_chain(chain, value):
    for layer in chain:
        value = layer(value)
    return value


class _BatchMapper:
    """Applies the host stage to a batch's `x` (a batch is `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`)."""

    def __init__(self, stage, names):
        self.stage, self.names = stage, names

    def __call__(self, batch):
        if isinstance(batch, (tuple, list)):
            return (_apply(self.stage, batch[0], self.names), *batch[1:])
        return _apply(self.stage, batch, self.names)


class _MappedIterable:
    """A re-iterable source of batches (each `iter()` a new epoch), mapped batch by batch."""

    def __init__(self, batches, mapper):
        self.batches, self.mapper = batches, mapper

    def __iter__(self):
        return (self.mapper(batch) for batch in self.batches)


class _SizedMappedIterable(_MappedIterable):
    def __len__(self):
        return len(self.batches)


class _MappedDataset(_SizedMappedIterable):
    """A dataset of whole batches (a PyDataset) mapped batch by batch, keeping what the data adapter reads
    from it (its size, its workers, its end-of-epoch hook)."""

    def __init__(self, batches, mapper):
        super().__init__(batches, mapper)
        for name in ("workers", "max_queue_size", "use_multiprocessing"):
            if hasattr(batches, name):
                setattr(self, name, getattr(batches, name))

    @property
    def num_batches(self):
        count = getattr(self.batches, "num_batches", None)
        return len(self.batches) if count is None else count

    def __getitem__(self, index):
        return self.mapper(self.batches[index])

    def on_epoch_end(self):
        if hasattr(self.batches, "on_epoch_end"):
            self.batches.on_epoch_end()


def _is_array_data(x):
    leaves = flatten(x)
    return bool(leaves) and all(leaf is None or hasattr(leaf, "shape") for leaf in leaves)


def preprocessed(model, x):
    """`x` (arrays, a dataset or a generator of batches) with the model's host stage applied, in the same
    kind of container; `x` itself when the model has none."""
    if x is None:
        return x
    _build_if_needed(model, x)
    stage = host_stage(model)
    if not stage:
        return x
    names = [getattr(spec, "name", None) for spec in flatten(getattr(model, "input_spec", None) or [])]
    if _is_array_data(x):
        return _apply(stage, x, names)
    mapper = _BatchMapper(stage, names)
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):
        return _MappedDataset(x, mapper)
    if iter(x) is x:
        return (mapper(batch) for batch in x)
    return _SizedMappedIterable(x, mapper) if hasattr(x, "__len__") else _MappedIterable(x, mapper)


@contextlib.contextmanager
def applied(model):
    """Within the block the model's host stage is the identity and the model checks only the names of the
    inputs it feeds, not their shapes: the data pipeline has applied it."""
    stage = host_stage(model)
    if not stage:
        yield
        return
    layers = [layer for chain in stage.values() for layer in chain]
    specs = getattr(model, "input_spec", None)
    relaxed = specs
    if isinstance(specs, list):
        relaxed = [
            InputSpec(name=spec.name, optional=spec.optional) if position in stage and spec else spec
            for position, spec in enumerate(specs)
        ]
    model.input_spec = relaxed
    try:
        with applied_by_pipeline(layers):
            yield
    finally:
        model.input_spec = specs
