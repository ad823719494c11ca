"""GradientTape: records the ops that touch watched tensors, then plays them backwards.

Each op is kept as a `backpropagation.Record`; tensors hold no graph. Tensors are named by a serial
number (`Tensor._serial`, given when a tape first sees one; Variables by their uid), not by `id()`,
which Python hands out again once an object dies. So a record need not keep alive a tensor whose value
its rule never reads (`Primitive.saves`): a large one is kept as its shape and dtype and handed to the
rule as a zero-stride stand-in, and the activation itself is freed as soon as the forward code lets go
of it (a convolution's output before its bias, an add's inputs). A non-persistent tape hands its
records to the backward pass (`backpropagation.backpropagate`, the walk the static engine uses too),
which drops each record, and the gradient of its output, once played back. Gradients are computed with
ops, so an outer tape records them: nested tapes give higher orders.
"""

import contextlib
import itertools

from .. import device
from ..backpropagation import Record, backpropagate
from ..kernels import blas
from ..primitives.linalg import PendingProduct
from ..primitives.registry import ops
from ..tree import flatten, flatten_with_spec, unflatten
from ..variable import Variable
from .tensor import Tensor

RECORDING = []
_RESULTS = (Tensor, PendingProduct)
_RESULT_TYPES = frozenset((*_RESULTS, type(None)))  # what `gradient` returns as it is
_new_record = tuple.__new__
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
                if key in watched:  # never None
                    hit = True
                large = large or x._data.size >= LARGE
            elif kind is Variable:
                key = -1 - x.uid  # key_of, inlined: this runs for every input of every recorded op
                if key in watched:
                    hit = True
                elif x.trainable and self.watch_accessed_variables:
                    watched.add(key)  # _watch, inlined
                    self._variables[key] = x
                    hit = True
            else:
                key = None
            keys.append(key)
        if not hit:
            return
        output_key = output._serial  # key_of, inlined; an outer tape may have named it already
        if output_key is None:
            output._serial = output_key = next(_SERIALS)
        watched.add(output_key)
        saves = prim.saves
        if saves is not None and (large or output._data.size >= LARGE):  # `output`: the engine's new Tensor
            inputs = tuple([x if i in saves else _kept(x) for i, x in enumerate(inputs)])
            output = output if "output" in saves else _kept(output)
            self._stand_ins = True
        # Record(...) without its generated __new__: this runs for every recorded op
        self._records.append(_new_record(Record, (prim, inputs, keys, output, output_key, attrs, ())))

    def stop_recording(self):
        return _Paused(self)

    def reset(self):
        self._records, self._watched, self._variables = [], set(), {}
        self._stand_ins = False  # whether a record kept a large tensor as its _Spec

    def watched_variables(self):
        return list(self._variables.values())

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none", pending_products=False):
        """`pending_products`: a Variable's gradient may come back as a PendingProduct (the trainer's step asks,
        for its optimizer: backends/product_updates.py)."""
        if self._records is None:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients; use GradientTape(persistent=True) to call gradient() again"
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}")
        if self in RECORDING:  # the rules run with the tape paused (outer tapes record them: higher order)
            with self.stop_recording():
                return self.gradient(target, sources, output_gradients, unconnected_gradients, pending_products)
        flat = type(sources) is list  # the usual call, a list of Tensors and Variables: each has a key
        if flat:
            source_keys = [-1 - s.uid if type(s) is Variable else key_of(s) for s in sources]  # key_of, inlined
            flat = None not in source_keys
        flat_sources, spec = (sources, None) if flat else flatten_with_spec(sources)
        if not flat:
            source_keys = [key_of(s) for s in flat_sources]
        targets = flatten(target)
        seeds = flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        records, watched = self._records, self._watched  # a key the tape never watched has no gradient
        if not self.persistent:  # hand the records to the backward pass, which frees them as it goes
            self._records = self._watched = self._variables = None
        grads = backpropagate(
            records if self.persistent else _taken(records),
            [(key_of(t), t) for t in targets],
            seeds,
            source_keys,
            _ones_like,
            _restored if self._stand_ins else None,
            _pending(source_keys, flat_sources) if pending_products else (),
        )
        results = [grads.get(key) if key in watched else None for key in source_keys]
        if unconnected_gradients == "zero":
            results = [ops.zeros_like(s) if g is None else g for g, s in zip(results, flat_sources)]
        if not _RESULT_TYPES.issuperset(map(type, results)):  # a seed given as an array, say
            results = [g if g is None or isinstance(g, _RESULTS) else Tensor(g) for g in results]
        return results if flat else unflatten(spec, results)


class _Paused:
    """`tape.stop_recording()`: the tape leaves RECORDING for the block and comes back at its place (a class,
    not a generator: every `gradient` call enters one)."""

    __slots__ = ("tape", "position")

    def __init__(self, tape):
        self.tape = tape

    def __enter__(self):
        self.position = RECORDING.index(self.tape) if self.tape in RECORDING else None
        if self.position is not None:
            RECORDING.remove(self.tape)

    def __exit__(self, *exc):
        if self.position is not None:
            RECORDING.insert(self.position, self.tape)


def _pending(keys, sources):
    """The keys of the sources whose gradient may come back pending: Variables large enough for it to pay."""
    return {key for key, x in zip(keys, sources) if type(x) is Variable and x._data.size >= blas.SMALLEST}


def _ones_like(target):
    """The default seed, made without an op: nothing differentiates a constant."""
    data = target._data
    xp = device.get_array_module(data)
    return Tensor(xp.ones_like(data) if data.ndim else xp.array(1, data.dtype))  # `array`: ~5x cheaper on a scalar


def _taken(records):
    """The records, moved into a new list: the caller's list is emptied, so the backward pass holds the only
    references and each record (its activations) is freed once it has been played back."""
    taken = list(records)
    records.clear()
    return taken


@contextlib.contextmanager
def no_grad():
    """Run ops without recording them on any tape (like torch.no_grad)."""
    paused = list(RECORDING)
    RECORDING.clear()
    try:
        yield
    finally:
        RECORDING[:0] = paused
