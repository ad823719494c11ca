"""GradientTape: records the ops that touch watched tensors, then plays them backwards.

The tape holds (primitive, inputs, output, attrs) records; tensors hold no graph. So once a
non-persistent tape has answered `gradient()`, it drops its records and the activations go with it.
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
        watched = self._watched
        with self.stop_recording():
            grads = _backpropagate(self._records, targets, seeds, flat_sources)
            results = [grads.get(id(s)) if id(s) in watched else None for s in flat_sources]
            if unconnected_gradients == "zero":
                results = [ops.zeros_like(s) if g is None else g for g, s in zip(results, flat_sources)]
        if not self.persistent:
            self._records = self._watched = None
        return rebuild([g if g is None or isinstance(g, Tensor) else Tensor(g) for g in results])


def _backpropagate(records, targets, seeds, sources):
    depends = {id(s) for s in sources}
    relevant = []
    for record in records:
        for x in record[1]:
            if id(x) in depends:
                depends.add(id(record[2]))
                relevant.append(record)
                break
    grads = {}
    for target, seed in zip(targets, seeds):
        _accumulate(grads, target, ops.ones_like(target) if seed is None else seed)
    for prim, inputs, output, attrs in reversed(relevant):
        grad = grads.get(id(output))
        if grad is None:
            continue
        needs = tuple(id(x) in depends for x in inputs)
        try:
            input_grads = backward(prim, grad, inputs, output, needs, attrs)
        except (ValueError, TypeError) as error:
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"gradient of {prim.name}: {error}") from error
        for x, g in zip(inputs, input_grads):
            if g is not None:
                _accumulate(grads, x, g)
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
