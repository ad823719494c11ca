"""get_source_inputs: the functional-API inputs a symbolic tensor was computed from."""

from kerasish.backends.symbolic import KerasTensor


def get_source_inputs(tensor):
    """The input tensors (from `kerasish.Input`) needed to compute `tensor`, each once, in the order they
    are first reached; `tensor` itself when it is not symbolic, `[tensor]` when it is an input."""
    if not isinstance(tensor, KerasTensor):
        return tensor
    sources, seen, pending = [], set(), [tensor]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        parents = current.node.parents if current.node is not None else []
        if parents:
            pending.extend(reversed(parents))
        else:
            sources.append(current)
    return sources
