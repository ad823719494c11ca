"""Graph traversal shared by gradients, the compiler passes and the pictures."""

from .symbol import Symbol


def topological(roots, stop=()):
    """Every symbol the roots depend on, inputs before users (iterative: deep graphs are fine). The
    inputs of a symbol whose id is in `stop` are not walked (a copy that is given that symbol's value)."""
    order, seen = [], set()
    for root in roots:
        if not isinstance(root, Symbol) or id(root) in seen:
            continue
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            if id(node) in stop:
                continue
            for x in reversed(node.inputs):
                if isinstance(x, Symbol) and id(x) not in seen:
                    stack.append((x, False))
    return order


def consumers(order, roots=()):
    """{id(symbol): number of uses as an input} over the nodes in `order`, each of `roots` (the graph's
    outputs, read by its caller) counted once more."""
    counts = {}
    for node in order:
        for x in node.inputs:
            if isinstance(x, Symbol):
                counts[id(x)] = counts.get(id(x), 0) + 1
    for root in roots:
        if isinstance(root, Symbol):
            counts[id(root)] = counts.get(id(root), 0) + 1
    return counts
