"""Backpropagation: the one reverse walk over recorded primitive calls, shared by both engines.

The dynamic tape hands it the records it took while ops ran; the static engine hands it the nodes of
a graph in topological order. Either way the rules are the primitives' own vjps, written with ops, so
the walk computes on Tensors (the tape) or builds the gradient graph (Symbols), and gradients of
gradients come the same way.

Memory: the walk holds the only references to the records it is given when the caller lets go of them
(the non-persistent tape does), and drops each record, and the gradient of its output, once played
back; the gradients of the sources are kept.
"""

import itertools
from typing import NamedTuple

from .errors import error_kind
from .primitives.linalg import WELCOME
from .primitives.registry import ops, shape_of, unbroadcast


class Record(NamedTuple):
    """One primitive call, as the backward pass reads it."""

    primitive: object  # a Primitive, or a multi-output op (control flow) whose vjp takes a list of gradients
    inputs: tuple  # what the rule receives: engine tensors, Python numbers, or the tape's stand-ins
    input_keys: tuple  # the name of each input; None for inputs that cannot have a gradient
    output: object
    output_key: object
    attrs: dict
    parts: tuple = ()  # the keys of each result of a multi-output op; empty for a primitive


def backpropagate(records, targets, seeds, source_keys, default_seed, restore=None, pending=()):
    """{key: gradient} of the sources (and of what lies between them and the targets).

    `records`: in the order they ran. `targets`: (key, tensor) pairs, `seeds`: their output gradients
    (None: `default_seed(tensor)`). `restore` turns what a record kept back into a value for the rule.
    Only records that read, directly or not, a source are played; `needs` tells each rule which of its
    inputs lead to a source. The sources in `pending` that one record alone reads, once, are offered to its
    rule as WELCOME: their gradient may come back as a PendingProduct (backends/product_updates.py).
    """
    sources = set(source_keys)
    sources.discard(None)
    depends = set(sources)  # never holds None (the key of what has no gradient): output keys are not None
    relevant = []
    for record in records:
        if not depends.isdisjoint(record.input_keys):
            depends.add(record.output_key)
            if record.parts:
                depends.update(record.parts)
            relevant.append(record)
    del records
    welcome = _read_once(relevant, pending) - {key for key, _ in targets} if pending else ()
    leads = depends.__contains__  # whether a key leads to a source: `needs`, made with no Python loop
    grads = {}
    for (key, target), seed in zip(targets, seeds):
        if key is not None and key in depends:
            seed = default_seed(target) if seed is None else seed
            _check_shape(target, seed)
            _add(grads, key, seed)
    while relevant:
        # one unpacking instead of a NamedTuple attribute read per field: this runs for every record
        primitive, inputs, keys, output, output_key, attrs, parts = relevant.pop()
        if parts:
            grad = [_take(grads, key, sources) for key in parts]
            if all(g is None for g in grad):
                continue
        else:  # _take, inlined
            grad = grads.get(output_key) if output_key in sources else grads.pop(output_key, None)
            if grad is None:
                continue
        if restore is not None:
            inputs, output = tuple([restore(x) for x in inputs]), restore(output)
        needs = tuple(map(leads, keys))
        if welcome and not welcome.isdisjoint(keys):
            needs = tuple([WELCOME if key in welcome else need for key, need in zip(keys, needs)])
        try:  # each gradient of its input's shape (or an error), None where not needed
            if parts:
                found = _checked(primitive.vjp(grad, inputs, output, needs, **attrs), inputs, needs)
            else:
                vjp = primitive.vjp
                found = vjp(grad, inputs, output, needs, **attrs) if attrs else vjp(grad, inputs, output, needs)
                if len(found) != len(inputs):
                    raise ValueError(f"the rule returned {len(found)} gradients for {len(inputs)} inputs")
            del grad
            for key, g, x, need, position in zip(keys, found, inputs, needs, itertools.count()):
                if g is None or not need:
                    continue
                shape = getattr(g, "shape", None)
                # the common case first: numpy/cupy shapes (tuples) that already match, no unknown dimension
                if not (parts or type(shape) is tuple and shape == getattr(x, "shape", None) and None not in shape):
                    g = unbroadcast(g, x, position)  # a primitive's gradient summed back to its input's shape
                previous = grads.get(key)
                grads[key] = g if previous is None else ops.add(previous, g)
        except (ValueError, TypeError, IndexError) as error:
            raise error_kind(error)(f"gradient of {primitive.name}: {error}") from error
        del primitive, inputs, output, attrs, found
    return grads


def _read_once(records, keys):
    """The keys among `keys` that exactly one of the records reads, once."""
    counts = dict.fromkeys(keys, 0)
    for record in records:
        for key in record.input_keys:
            if key in counts:
                counts[key] += 1
    return {key for key, count in counts.items() if count == 1}


def _take(grads, key, sources):
    """The gradient of a record's output: kept if it is a source's, else handed over (freed after use)."""
    return grads.get(key) if key in sources else grads.pop(key, None)


def _add(grads, key, g):
    previous = grads.get(key)
    grads[key] = g if previous is None else ops.add(previous, g)


def _checked(found, inputs, needs):
    """A multi-output op's gradients: None where not needed, else of their input's shape (or a ValueError)."""
    result = []
    for x, g, need in zip(inputs, found, needs):
        if g is not None and need:
            _check_shape(x, g)
            result.append(g)
        else:
            result.append(None)
    return result


def _check_shape(x, g):
    gradient_shape, input_shape = shape_of(g), shape_of(x)
    if gradient_shape != input_shape and not _compatible(gradient_shape, input_shape):
        raise ValueError(f"a gradient of shape {gradient_shape} does not match its input of shape {input_shape}")


def _compatible(first, second):
    """Whether two static shapes may be the same (None: unknown dimension)."""
    return len(first) == len(second) and all(a is None or b is None or a == b for a, b in zip(first, second))
