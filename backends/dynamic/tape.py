"""GradientTape: records the ops that touch watched tensors, then plays them backwards.

A record is (primitive, input keys, kept inputs, output key, kept output, attrs); tensors hold no
graph. Tensors are named by a serial number (`Tensor._serial`, given when a tape first sees one;
Variables by their uid), not by `id()`, which Python hands out again once an object dies. So a record
need not keep alive a tensor whose value its rule never reads (`Primitive.saves`): a large one is kept
as its shape and dtype and handed to the rule as a zero-stride stand-in, and the activation itself is
freed as soon as the forward code lets go of it (a convolution's output before its bias, an add's
inputs). A non-persistent tape hands its records to `gradient()`, which drops each record, and the
gradient of its output, once played back. Gradients are computed with ops, so an outer tape records
them: nested tapes give higher orders.
"""
import contextlib
import itertools

from .. import device
from ..primitives.registry import backward, ops, shape_of
from ..variable import Variable
from .tensor import Tensor

RECORDING = []
_SERIALS = itertools.count(1)
LARGE = 1 << 16  # elements; below this a record keeps the tensor even when its rule reads only the shape


def key_of(x):
    """The name a tape knows a tensor or Variable by, given on first sight; None for anything else."""
    kind = type(x)
    if kind is Variable:
        return -1 - x.uid
    if kind is not Tensor:
        return None
    if x._serial is None:
        x._serial = next(_SERIALS)
    return x._serial


class _Spec:
    """What a record keeps of a large tensor whose value its rule does not read."""
    __slots__ = ("shape", "dtype", "module")

    def __init__(self, tensor):
        self.shape, self.dtype = tensor._data.shape, tensor._data.dtype
        self.module = device.get_array_module(tensor._data)

    def stand_in(self):
        return Tensor(self.module.broadcast_to(self.module.zeros((), self.dtype), self.shape))


def _kept(x):
    return _Spec(x) if type(x) is Tensor and x._data.size >= LARGE else x


def _restored(x):
    return x.stand_in() if type(x) is _Spec else x


class GradientTape:
    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self.reset()

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
            self._watch(key_of(x), x)

    def _watch(self, key, x):
        self._watched.add(key)
        if type(x) is Variable:
            self._variables[key] = x

    def _record(self, prim, inputs, output, attrs):
        watched = self._watched
        keys = []
        hit = large = False
        for x in inputs:
            kind = type(x)
            if kind is Tensor:
                key = x._serial
                if key is not None and key in watched:
                    hit = True
                large = large or x._data.size >= LARGE
            elif kind is Variable:
                key = key_of(x)
                if key in watched:
                    hit = True
                elif x.trainable and self.watch_accessed_variables:
                    self._watch(key, x)
                    hit = True
            else:
                key = None
            keys.append(key)
        if not hit:
            return
        output_key = key_of(output)
        watched.add(output_key)
        saves = prim.saves
        if saves is not None and (large or type(output) is Tensor and output._data.size >= LARGE):
            inputs = tuple(x if i in saves else _kept(x) for i, x in enumerate(inputs))
            output = output if "output" in saves else _kept(output)
        self._records.append((prim, keys, inputs, output_key, output, attrs))

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
        self._records, self._watched, self._variables = [], set(), {}

    def watched_variables(self):
        return list(self._variables.values())

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        if self._records is None:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients; use GradientTape(persistent=True) to call gradient() again")
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
        flat_sources, rebuild = _flatten(sources)
        targets, _ = _flatten(target)
        seeds = _flatten(output_gradients)[0] if output_gradients is not None else [None] * len(targets)
        source_keys = [key_of(s) for s in flat_sources]
        known = [key is not None and key in self._watched for key in source_keys]
        records = self._records
        if not self.persistent:  # hand the records to the backward pass, which frees them as it goes
            self._records = self._watched = self._variables = None
        with self.stop_recording():
            grads = _backpropagate(records if self.persistent else _taken(records), targets, seeds, source_keys)
            results = [grads.get(key) if is_known else None for key, is_known in zip(source_keys, known)]
            if unconnected_gradients == "zero":
                results = [ops.zeros_like(s) if g is None else g for g, s in zip(results, flat_sources)]
        return rebuild([g if g is None or isinstance(g, Tensor) else Tensor(g) for g in results])


def _taken(records):
    """The records, moved into a new list: the caller's list is emptied, so the backward pass holds the only
    references and each record (its activations) is freed once it has been played back."""
    taken = list(records)
    records.clear()
    return taken


def _backpropagate(records, targets, seeds, source_keys):
    """Play the records that lead from the sources backwards. A record and the gradient of its output are
    dropped once used (the gradients of the sources are kept), so activations and their gradients are freed
    while the pass runs, as torch frees saved tensors; with a persistent tape the records stay held elsewhere."""
    sources = set(source_keys) - {None}
    depends = set(sources)
    relevant = []
    for record in records:
        for key in record[1]:
            if key in depends:
                depends.add(record[3])
                relevant.append(record)
                break
    del records
    grads = {}
    for target, seed in zip(targets, seeds):
        key = key_of(target)
        if key is not None:
            _accumulate(grads, key, target, ops.ones_like(target) if seed is None else seed)
    while relevant:
        prim, keys, inputs, output_key, output, attrs = relevant.pop()
        grad = grads.get(output_key) if output_key in sources else grads.pop(output_key, None)
        if grad is None:
            continue
        inputs, output = tuple(_restored(x) for x in inputs), _restored(output)
        needs = tuple(key in depends for key in keys)
        try:
            input_grads = backward(prim, grad, inputs, output, needs, attrs)
        except (ValueError, TypeError) as error:
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"gradient of {prim.name}: {error}") from error
        del grad
        for key, x, g in zip(keys, inputs, input_grads):
            if g is not None:
                _accumulate(grads, key, x, g)
        del prim, inputs, output, input_grads
    return grads


def _accumulate(grads, key, x, g):
    if shape_of(g) != shape_of(x):
        raise ValueError(f"gradient of shape {shape_of(g)} does not match its tensor of shape {shape_of(x)}")
    previous = grads.get(key)
    grads[key] = g if previous is None else ops.add(previous, g)


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
