"""GradientTape: records the ops that touch watched tensors, then plays them backwards.

The tape holds (primitive, inputs, output, attrs) records; tensors hold no graph. A non-persistent
tape hands its records to `gradient()`, which frees each record, and the gradient of its output, as
soon as it has been played back: activations go during the backward pass, not after it.
Gradients are computed with ops, so an outer tape records them: nested tapes give higher orders.
"""
import contextlib

from ..primitives.registry import backward, ops, shape_of
from ..variable import Variable
from .tensor import Tensor

RECORDING = []


class GradientTape:
    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._records = []
        self._watched = {}
        self._used = False

    def __enter__(self):
        RECORDING.append(self)
        return self

    def __exit__(self, *exc):
        if self in RECORDING:
            RECORDING.remove(self)

    def watch(self, tensor):
        for x in tensor if isinstance(tensor, (list, tuple)) else (tensor,):
            if not isinstance(x, (Tensor, Variable)):
                raise TypeError(f"GradientTape.watch expects Tensors or Variables, got {type(x).__name__}")
            self._watched[id(x)] = x

    def _record(self, prim, inputs, output, attrs):
        watched = self._watched
        hit = False
        for x in inputs:
            if id(x) in watched:
                hit = True
            elif type(x) is Variable and x.trainable and self.watch_accessed_variables:
                watched[id(x)] = x
                hit = True
        if hit:
            watched[id(output)] = output
            self._records.append((prim, inputs, output, attrs))

    @contextlib.contextmanager
    def stop_recording(self):
        position = RECORDING.index(self) if self in RECORDING else None
        if position is not None:
            RECORDING.remove(self)
        try:
            yield
        finally:
            if position is not None:
                RECORDING.insert(position, self)

    def reset(self):
        self._records, self._watched = [], {}

    def watched_variables(self):
        return [x for x in self._watched.values() if isinstance(x, Variable)]

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        if self._records is None:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients; use GradientTape(persistent=True) to call gradient() again")
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
        flat_sources, rebuild = _flatten(sources)
        targets, _ = _flatten(target)
        seeds = _flatten(output_gradients)[0] if output_gradients is not None else [None] * len(targets)
        records, watched = self._records, self._watched
        watched_sources = [id(s) in watched for s in flat_sources]
        if not self.persistent:  # hand the records to the backward pass, which frees them as it goes
            self._records = self._watched = None
            del watched
        with self.stop_recording():
            grads = _backpropagate(records if self.persistent else _taken(records), targets, seeds, flat_sources)
            results = [grads.get(id(s)) if known else None for s, known in zip(flat_sources, watched_sources)]
            if unconnected_gradients == "zero":
                results = [ops.zeros_like(s) if g is None else g for g, s in zip(results, flat_sources)]
        return rebuild([g if g is None or isinstance(g, Tensor) else Tensor(g) for g in results])


def _taken(records):
    """The records, moved into a new list: the caller's list is emptied, so the backward pass holds the only
    references and each record (its activations) is freed once it has been played back."""
    taken = list(records)
    records.clear()
    return taken


def _backpropagate(records, targets, seeds, sources):
    """Play the records that lead from the sources backwards. A record and the gradient of its output are
    dropped once used (the gradients of the sources are kept), so activations and their gradients are freed
    while the pass runs, as torch frees saved tensors; with a persistent tape the records stay held elsewhere."""
    source_ids = {id(s) for s in sources}
    depends = set(source_ids)
    relevant = []
    for record in records:
        for x in record[1]:
            if id(x) in depends:
                depends.add(id(record[2]))
                relevant.append(record)
                break
    del records
    grads = {}
    for target, seed in zip(targets, seeds):
        _accumulate(grads, target, ops.ones_like(target) if seed is None else seed)
    while relevant:
        prim, inputs, output, attrs = relevant.pop()
        grad = grads.get(id(output)) if id(output) in source_ids else grads.pop(id(output), None)
        if grad is None:
            continue
        needs = tuple(id(x) in depends for x in inputs)
        try:
            input_grads = backward(prim, grad, inputs, output, needs, attrs)
        except (ValueError, TypeError) as error:
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"gradient of {prim.name}: {error}") from error
        del grad
        for x, g in zip(inputs, input_grads):
            if g is not None:
                _accumulate(grads, x, g)
        del prim, inputs, output, input_grads
    return grads


def _accumulate(grads, x, g):
    if shape_of(g) != shape_of(x):
        raise ValueError(f"gradient of shape {shape_of(g)} does not match its tensor of shape {shape_of(x)}")
    previous = grads.get(id(x))
    grads[id(x)] = g if previous is None else ops.add(previous, g)


def _flatten(structure):
    if isinstance(structure, dict):
        keys = list(structure)
        return [structure[k] for k in keys], lambda values: dict(zip(keys, values))
    if isinstance(structure, (list, tuple)):
        kind = type(structure)
        return list(structure), lambda values: kind(values)
    return [structure], lambda values: values[0]


@contextlib.contextmanager
def no_grad():
    """Run ops without recording them on any tape (like torch.no_grad)."""
    paused = list(RECORDING)
    RECORDING.clear()
    try:
        yield
    finally:
        RECORDING[:0] = paused
