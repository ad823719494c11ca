"""Rematerialization (gradient checkpointing): Keras 3's `keras.remat(f)` and `keras.RematScope`.

`remat(f)` computes what `f` computes. On the dynamic engine, while a tape records, `f` runs without
recording its intermediate ops (a `_Reads` tape in place of the recording ones notes only the
Variables and recorded Tensors `f` reads), so its activations are freed as soon as `f` returns; one
custom node per output tensor (`custom_gradient.custom_node`) takes the arguments and the noted reads
as inputs. When the backward pass reaches one of these nodes, `f` runs again under a tape and that
tape gives the gradients of the inputs (Variables included); several outputs share one recomputation.
`f` runs inside a StatelessScope both times: its assignments (a BatchNormalization's moving
statistics, a SeedGenerator's state) are applied once, after the forward, and the recomputation reads
the values they had before it, so it sees the same state (the same dropout mask) and changes nothing.
Losses a layer adds inside `f` (`add_loss`) are outputs of the nodes too, handed to their layers once.

On the static engine (a Symbol among the arguments, or a trace running) `remat(f)` is `f`: gradients
are those of `f`'s ops, and no memory is saved. A compiled plan frees each intermediate after its last
use, so a forward value the backward reads lives until then; a recomputation in the gradient graph
would be the same ops on the same inputs, which the `common_subexpressions` pass merges back into the
forward ones, so it would cost time and save nothing.

`RematScope(mode, output_size_threshold, layer_names)`: layers (Operations) created inside remember the
innermost scope's mode (`get_current_remat_mode()`), and their calls go through `remat` by it.
"""

import collections
import functools

from . import dispatch
from .custom_gradient import custom_node
from .dynamic.tape import RECORDING, GradientTape, key_of
from .dynamic.tensor import Tensor
from .stateless_scope import StatelessScope, get_stateless_scope
from .symbolic import any_symbolic
from .tree import flatten, flatten_with_spec, unflatten
from .variable import Variable

MODES = ("full", "activations", "larger_than", "list_of_layers", None)
RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])
_SCOPES = []  # RematScopes in effect, innermost last


class RematScope:
    """`RematScope(mode="full", output_size_threshold=1024, layer_names=None)`.

    Modes: "full" (every layer call), "activations" (the activation function of layers that have
    one), "larger_than" (layers whose outputs hold more than `output_size_threshold` elements),
    "list_of_layers" (the layers named in `layer_names`), None (none). The innermost scope decides.
    """

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in MODES:
            raise ValueError(
                f"Invalid mode '{mode}'. Supported modes are: 'full', 'activations', 'larger_than', "
                "'list_of_layers', or  None."
            )
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []

    def __enter__(self):
        _SCOPES.append(self)
        return self

    def __exit__(self, *exc):
        _SCOPES.remove(self)


def get_current_remat_mode():
    """The innermost RematScope's `RematMode(mode, output_size_threshold, layer_names)`, or None."""
    if not _SCOPES:
        return None
    scope = _SCOPES[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)


def remat(f):
    """`f`, with its intermediate values recomputed in the backward pass instead of kept (see the
    module docstring for what each engine does)."""

    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        leaves = flatten((args, kwargs))
        if not checkpoints() or any_symbolic(leaves) or any(dispatch.is_symbolic(leaf) for leaf in leaves):
            return f(*args, **kwargs)
        return _checkpointed(f, args, kwargs)

    return rematerialized


def checkpoints():
    """Whether `remat` would checkpoint a call on dynamic tensors now: a tape records, and neither a static
    trace nor another remat's forward pass is running."""
    return bool(RECORDING) and not dispatch.TRACES and not all(type(tape) is _Reads for tape in RECORDING)


class _Reads(GradientTape):
    """Takes the recording tapes' place while `f` runs: records nothing, notes the Variables and the
    Tensors other tapes know (they have a serial) that ops read, by their tape key."""

    def __init__(self):
        super().__init__()
        self.read = {}

    def _record(self, prim, inputs, output, attrs):
        for x in inputs:
            kind = type(x)
            if kind is Variable or kind is Tensor and x._serial is not None:
                self.read.setdefault(key_of(x), x)


def _checkpointed(f, args, kwargs):
    leaves, spec = flatten_with_spec((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if type(leaf) in (Tensor, Variable)]
    outer = RECORDING[:]
    reads = _Reads()
    RECORDING[:] = [reads]
    try:
        with _State() as forward_state:
            outputs = f(*args, **kwargs)
    finally:
        RECORDING[:] = outer
    assigned = forward_state.state_mapping
    before = [(variable, _current_value(variable)) for variable in assigned]
    for variable, value in assigned.items():
        variable.assign(value)

    inputs = {key_of(leaves[i]): leaves[i] for i in positions}
    for key, x in reads.read.items():
        inputs.setdefault(key, x)
    inputs = list(inputs.values())
    flat_outputs, output_spec = flatten_with_spec(outputs)
    values = flat_outputs + [loss for _, loss in forward_state.layer_losses]
    tensor_positions = [i for i, x in enumerate(values) if type(x) is Tensor]
    recomputation = _Recomputation(f, spec, leaves, positions, before, len(tensor_positions))
    name = f"remat_{getattr(f, '__name__', 'function')}"
    for i in tensor_positions:
        vjp = functools.partial(recomputation.vjp, i)
        values[i] = custom_node(name, (), values[i], vjp, saved=inputs)
    for (layer, _), loss in zip(forward_state.layer_losses, values[len(flat_outputs) :]):
        layer.add_loss(loss)
    return unflatten(output_spec, values[: len(flat_outputs)])


class _State(StatelessScope):
    """The StatelessScope `f` runs in. It keeps each `(layer, loss)` of a `layer.add_loss` inside `f`: the
    losses become outputs of the remat nodes too (so their gradients flow) and reach their layers once."""

    def __init__(self, state_mapping=None):
        super().__init__(state_mapping)
        self.layer_losses = []

    def take_loss(self, layer, loss):
        self.layer_losses.append((layer, loss))
        return True


def _current_value(variable):
    scope = get_stateless_scope()
    value = scope.get_current_value(variable) if scope is not None else None
    return Tensor(variable.value) if value is None else value


class _Recomputation:
    """Runs `f` again under a tape the first time a backward pass reaches one of its output nodes, and
    answers each node's gradients from it; the tape is dropped once every node has asked (a later
    backward pass, or one that needs other inputs, recomputes)."""

    def __init__(self, f, spec, leaves, positions, before, count):
        self.f, self.spec, self.leaves, self.positions, self.before = f, spec, leaves, positions, before
        self.count = self.remaining = count
        self.tape = self.outputs = self.sources = None

    def vjp(self, output_index, grad, node_inputs, node_output, needs):
        inputs = node_inputs[:-1]
        wanted = [j for j in range(len(inputs)) if needs[j]]
        if self.tape is None or not set(wanted) <= set(self.sources[1]):
            self._recompute(inputs, wanted)
        sources, positions = self.sources
        grads = self.tape.gradient(self.outputs[output_index], sources, output_gradients=grad) if sources else []
        self.remaining -= 1
        if self.remaining == 0:
            self.tape = self.outputs = None
        result = [None] * len(node_inputs)
        for position, gradient in zip(positions, grads):
            result[position] = gradient
        return tuple(result)

    def _recompute(self, inputs, positions):
        leaves = list(self.leaves)
        for j, i in enumerate(self.positions):
            leaves[i] = inputs[j]  # the node's own copies of the arguments
        args, kwargs = unflatten(self.spec, leaves)
        sources = [inputs[j] for j in positions]
        self.remaining = self.count
        self.tape = GradientTape(persistent=self.count > 1, watch_accessed_variables=False)
        with self.tape:
            self.tape.watch(sources)
            with _State(state_mapping=self.before) as state:
                outputs = flatten(self.f(*args, **kwargs))
        self.outputs = outputs + [loss for _, loss in state.layer_losses]
        self.sources = sources, positions
