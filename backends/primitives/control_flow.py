"""Control flow with Keras 3 signatures: ops.cond, ops.switch, ops.while_loop, ops.scan, ops.fori_loop (and
ops.foldl, as tf.foldl, on top of scan).

On the dynamic engine they run eagerly as Python loops over ops (the tape records the ops, so
gradients flow). When an argument is a graph tensor, or a static trace is running, they build one
graph node instead, through the control flow the graph engine registered in `dispatch.CONTROL_FLOW`
(backends/static/control_flow.py), with gradients.
"""

from .. import dispatch
from ..tree import flatten_with_spec as _flatten
from ..tree import unflatten as _unflatten
from .registry import export, ops


def _graph(*structures):
    """The graph engine's control flow, or None to run eagerly."""
    return dispatch.control_flow(_flatten(list(structures))[0])


@export
def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`; both must return the same structure of tensors."""
    graph = _graph(pred)
    if graph is not None:
        return graph.cond(pred, true_fn, false_fn)
    return true_fn() if bool(pred) else false_fn()


@export
def switch(index, branches, *operands):
    """`branches[index](*operands)`, the index clipped into range; on the static engine a chain of conds."""
    if not branches:
        raise ValueError("switch: `branches` must hold at least one function")
    last = len(branches) - 1
    graph = _graph(index, operands)
    if graph is None:
        try:
            index = int(ops.convert_to_numpy(index))  # a device tensor's value comes to the host explicitly
        except (TypeError, ValueError):
            raise TypeError(f"switch: `index` must be an integer scalar, received {index!r:.80}") from None
        return branches[min(max(index, 0), last)](*operands)

    def choose(i):
        if i == last:
            return branches[i](*operands)
        return graph.cond(ops.less_equal(index, i), lambda: branches[i](*operands), lambda: choose(i + 1))

    return choose(0)


@export
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (at most `maximum_iterations`).

    Returns a tuple when `loop_vars` is a list or tuple (as Keras does), else the single value.
    """
    graph = _graph(loop_vars)
    if graph is not None:
        return graph.while_loop(cond, body, loop_vars, maximum_iterations)
    single = not isinstance(loop_vars, (list, tuple))
    values = (loop_vars,) if single else tuple(loop_vars)
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and bool(cond(*values)):
        values = body(*values)
        values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        iteration += 1
    return values[0] if single else values


@export
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` over the leading axis of `xs`; returns (final carry, stacked ys).

    `unroll` is a speed hint (positive int or bool) with no effect on results.
    """
    if not (isinstance(unroll, bool) or (isinstance(unroll, int) and unroll > 0)):
        raise ValueError(f"scan: unroll must be a positive integer or a boolean, got {unroll!r}")
    if xs is None and length is None:
        raise ValueError("scan: pass xs or length")
    graph = _graph(init, xs)
    if graph is not None:
        return graph.scan(f, init, xs, length, reverse, unroll)
    leaves, structure = _flatten(xs) if xs is not None else ([], None)
    steps = int(length) if length is not None else leaves[0].shape[0]
    carry, ys = init, []
    for i in range(steps - 1, -1, -1) if reverse else range(steps):
        x = _unflatten(structure, [leaf[i] for leaf in leaves]) if xs is not None else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, _stack_structure(ys)


def _stack_structure(ys):
    if not ys or ys[0] is None:
        return None
    flat = [_flatten(y)[0] for y in ys]
    return _unflatten(_flatten(ys[0])[1], [ops.stack(list(column)) for column in zip(*flat)])


@export
def fori_loop(lower, upper, body_fun, init_val):
    """`init_val = body_fun(i, init_val)` for i in range(lower, upper)."""
    graph = _graph(lower, upper, init_val)
    if graph is None:
        for i in range(int(lower), int(upper)):
            init_val = body_fun(i, init_val)
        return init_val
    if isinstance(lower, int) and isinstance(upper, int):

        def step(carry, _):
            i, value = carry
            return (i + 1, body_fun(i, value)), None

        return graph.scan(step, (lower, init_val), None, upper - lower, False, 1)[0][1]
    return graph.while_loop(
        lambda i, value: ops.greater(upper, i), lambda i, value: (i + 1, body_fun(i, value)), (lower, init_val)
    )[1]


@export
def foldl(fn, elems, initializer=None):
    """tf.foldl: `acc = fn(acc, x)` over the leading axis of `elems`; returns the final acc."""
    if initializer is None:
        first, rest = elems[0], elems[1:]
        return scan(lambda acc, x: (fn(acc, x), None), first, rest)[0]
    return scan(lambda acc, x: (fn(acc, x), None), initializer, elems)[0]
