"""Graph nodes for cond, while_loop and scan, with gradients.

A branch or loop body is traced once into a child Graph (`Body`): its arguments become
placeholders, and the outer symbols (and Variables) it uses are captured as extra inputs of the
node. A control-flow node computes several results, so it is a tuple-valued node read through
`component` nodes. Its gradient is built from the same ops: the body is inlined into a new body
and differentiated there, so the backward pass of a scan is itself a scan (and differentiable again).
"""

import types

import numpy

from .. import device, dispatch
from ..primitives.registry import ops
from ..tree import flatten_with_spec as _flatten
from ..tree import unflatten as _unflatten
from .engine import as_input
from .function import Function
from .gradients import gradients
from .graph import Graph, Symbol, constant, default_graph, placeholder
from .symbol import components
from .walk import topological


class Body:
    """A traced function: `params` (placeholders: the arguments, then the captures) -> `outputs`."""

    def __init__(self, graph, params, outputs):
        self.graph, self.params, self.outputs = graph, params, outputs
        self._compiled = None

    def run(self, *arrays):
        """The outputs for one set of argument arrays (compiled on first use, on the current device)."""
        if self._compiled is None:
            self._compiled = Function(self.params, list(self.outputs), [], None, None, f"body {self.graph.name}")
        return self._compiled._run(*arrays)[0]

    def inline(self, args):
        """Copy the body's computation into the current graph with `args` for its params."""
        graph = default_graph()
        mapping = {id(p): a for p, a in zip(self.params, args)}
        for node in topological(self.outputs):
            if id(node) in mapping:
                continue
            if node.kind == "constant":
                mapping[id(node)] = Symbol(graph, "constant", None, (), {}, node.shape, node.dtype, value=node.value)
            elif node.kind == "op":
                inputs = [as_input(mapping[id(x)], graph) if isinstance(x, Symbol) else x for x in node.inputs]
                copy = mapping[id(node)] = Symbol(graph, "op", node.op, inputs, node.attrs, node.shape, node.dtype)
                if getattr(node.op, "tuple_valued", False):  # a nested control-flow node: its components come along
                    copy.value = {
                        i: Symbol(graph, "op", COMPONENT, (copy,), {"index": i}, part.shape, part.dtype)
                        for i, part in components(node).items()
                    }
                    mapping.update({id(part): copy.value[i] for i, part in components(node).items()})
            else:
                raise ValueError(f"inline: body input {node.name!r} has no argument")
        return [as_input(mapping[id(o)], graph) for o in self.outputs]


def trace_body(fn, specs, name):
    """Trace `fn(params)` (params: placeholders for `specs`) in a child graph.

    Returns the Body, the outer symbols it captured, and the structure of its result.
    """
    graph = Graph(parent=default_graph(), name=name)
    with graph.as_default():
        params = [placeholder(shape, dtype, name=f"{name}.arg{i}") for i, (shape, dtype) in enumerate(specs)]
        leaves, structure = _flatten(fn(params))
        outputs = [_as_symbol(x, graph) for x in leaves]
    outer = [entry[0] for entry in graph.captures.values()]
    inner = [entry[1] for entry in graph.captures.values()]
    return Body(graph, params + inner, outputs), outer, structure


def _as_symbol(x, graph):
    x = as_input(x, graph)
    return x if isinstance(x, Symbol) else constant(x)


def symbols(values):
    graph = default_graph()
    return [_as_symbol(x, graph) for x in values]


# ----- the tuple-valued nodes ---------------------------------------------------------------


class Component:
    """Result `index` of a tuple-valued control-flow node."""

    name = "component"
    vjp = None

    @staticmethod
    def forward(xp, value, index):
        return value[index]


COMPONENT = Component()


def tuple_node(op, inputs, attrs, specs):
    """A control-flow node and one component symbol per (shape, dtype) in `specs` (kept in the
    node's `value`, which op nodes do not otherwise use)."""
    graph = default_graph()
    node = Symbol(graph, "op", op, inputs, attrs, (), numpy.dtype(object))
    parts = [
        Symbol(graph, "op", COMPONENT, (node,), {"index": i}, shape, dtype) for i, (shape, dtype) in enumerate(specs)
    ]
    node.value = dict(enumerate(parts))
    return parts


def _seeds(grads, node, count):
    parts = components(node)
    return [g if g is not None else ops.zeros_like(parts[i]) for i, g in enumerate(grads[:count])]


def _check_same(name, what, before, after):
    for i, (a, b) in enumerate(zip(before, after)):
        compatible = len(a.shape) == len(b.shape) and all(
            x is None or y is None or x == y for x, y in zip(a.shape, b.shape)
        )
        if not compatible or a.dtype != b.dtype:
            raise ValueError(
                f"{name}: {what} {i} must keep its shape and dtype across iterations: "
                f"{a.shape} {a.dtype} before, {b.shape} {b.dtype} after"
            )


def _stack(xp, arrays, shape, dtype):
    if arrays:
        return xp.stack(arrays)
    return xp.zeros((0,) + tuple(0 if d is None else d for d in shape), dtype=dtype)


# ----- scan ---------------------------------------------------------------------------------


class Scan:
    name = "scan"
    tuple_valued = True

    @staticmethod
    def forward(xp, *arrays, body, carries, sequences, outputs, reverse, length):
        carry = arrays[:carries]
        xs = arrays[carries : carries + sequences]
        captured = arrays[carries + sequences :]
        steps = xs[0].shape[0] if sequences else length
        ys, history = [[] for _ in range(outputs)], [[] for _ in range(carries)]
        for i in range(steps - 1, -1, -1) if reverse else range(steps):
            for past, value in zip(history, carry):
                past.append(value)
            results = body.run(*carry, *[x[i] for x in xs], *captured)
            carry = results[:carries]
            for collected, y in zip(ys, results[carries:]):
                collected.append(y)
        if reverse:
            ys, history = [y[::-1] for y in ys], [h[::-1] for h in history]
        shapes = [o for o in body.outputs]
        stacked = [_stack(xp, y, o.shape, o.dtype) for y, o in zip(ys, shapes[carries:])]
        pasts = [_stack(xp, h, o.shape, o.dtype) for h, o in zip(history, shapes[:carries])]
        return tuple(carry) + tuple(stacked) + tuple(pasts)

    @staticmethod
    def vjp(grads, inputs, node, needs, body, carries, sequences, outputs, reverse, length):
        parts = components(node)
        captured = list(inputs[carries + sequences :])
        history = [parts[carries + outputs + i] for i in range(carries)]
        seeds = _seeds(grads, node, carries + outputs)
        past_seeds = _history_seeds(grads[carries + outputs :], history)
        xs = list(inputs[carries : carries + sequences])

        def step(carry, x):
            carry_seed, totals = carry[:carries], carry[carries:]
            before, x_i = x[:carries], x[carries : carries + sequences]
            y_seed, past_seed = (
                x[carries + sequences : carries + sequences + outputs],
                x[carries + sequences + outputs :],
            )
            results = body.inline(before + x_i + captured)
            inner = [as_input(c, default_graph()) for c in captured]
            found = gradients(results, before + x_i + inner, grad_ys=carry_seed + y_seed, unconnected_gradients="zero")
            new_totals = [ops.add(t, g) for t, g in zip(totals, found[carries + sequences :])]
            return _add_seeds(found[:carries], past_seed) + new_totals, found[carries : carries + sequences]

        final, x_grads = scan(
            step,
            seeds[:carries] + [ops.zeros_like(c) for c in captured],
            xs=history + xs + seeds[carries:] + past_seeds,
            reverse=not reverse,
        )
        return tuple(final[:carries]) + tuple(x_grads) + tuple(final[carries:])


def _history_seeds(grads, history):
    """Gradients that reached the stored carries (second-order passes use them), or [] if none did."""
    if all(g is None for g in grads):
        return []
    return [g if g is not None else ops.zeros_like(h) for g, h in zip(grads, history)]


def _add_seeds(found, seeds):
    return [ops.add(f, s) for f, s in zip(found, seeds)] if seeds else found


SCAN = Scan()


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Static-graph scan (see ops.scan): one node whose body is `f` traced once."""
    init_leaves, init_structure = _flatten(init)
    init_symbols = symbols(init_leaves)
    xs_leaves, xs_structure = _flatten(xs) if xs is not None else ([], None)
    xs_symbols = symbols(xs_leaves)
    if xs is None and length is None:
        raise ValueError("scan: pass xs or length")
    steps = int(length) if length is not None else xs_symbols[0].shape[0]
    if xs_symbols and length is not None and xs_symbols[0].shape[0] not in (None, steps):
        raise ValueError(f"scan: length={length} but xs has {xs_symbols[0].shape[0]} steps")
    specs = [(s.shape, s.dtype) for s in init_symbols] + [(s.shape[1:], s.dtype) for s in xs_symbols]
    carries = len(init_symbols)
    y_shape = {}

    def traced(params):
        carry = _unflatten(init_structure, params[:carries])
        x = _unflatten(xs_structure, params[carries:]) if xs is not None else None
        result = f(carry, x)
        if not isinstance(result, (list, tuple)) or len(result) != 2:
            raise ValueError("scan: f(carry, x) must return a pair (new_carry, y)")
        new_carry, y = result
        carry_leaves, structure = _flatten(new_carry)
        if structure != init_structure or len(carry_leaves) != carries:
            raise ValueError("scan: f must return a carry with the same structure as init")
        y_leaves, y_shape["structure"] = _flatten(y) if y is not None else ([], None)
        return carry_leaves + y_leaves

    body, captured, _ = trace_body(traced, specs, "scan")
    _check_same("scan", "carry", init_symbols, body.outputs[:carries])
    outputs = len(body.outputs) - carries
    result_specs = (
        [(s.shape, s.dtype) for s in init_symbols]
        + [((steps,) + o.shape, o.dtype) for o in body.outputs[carries:]]
        + [((steps,) + s.shape, s.dtype) for s in init_symbols]
    )
    attrs = dict(
        body=body, carries=carries, sequences=len(xs_symbols), outputs=outputs, reverse=bool(reverse), length=steps
    )
    parts = tuple_node(SCAN, init_symbols + xs_symbols + captured, attrs, result_specs)
    final = _unflatten(init_structure, parts[:carries])
    ys = _unflatten(y_shape["structure"], parts[carries : carries + outputs]) if outputs else None
    return final, ys


# ----- cond ---------------------------------------------------------------------------------


class Cond:
    name = "cond"
    tuple_valued = True

    @staticmethod
    def forward(xp, pred, *captured, true_body, false_body, split):
        if device.to_numpy(pred):  # the branch is chosen on the host: an explicit transfer on cupy
            return tuple(true_body.run(*captured[:split]))
        return tuple(false_body.run(*captured[split:]))

    @staticmethod
    def vjp(grads, inputs, node, needs, true_body, false_body, split):
        seeds = _seeds(grads, node, len(true_body.outputs))
        true_inputs, false_inputs = list(inputs[1 : 1 + split]), list(inputs[1 + split :])

        def branch(body, used, other):
            def differentiate():
                results = body.inline(used)
                inner = [as_input(c, default_graph()) for c in used]
                found = gradients(results, inner, grad_ys=seeds, unconnected_gradients="zero") if used else []
                zeros = [ops.zeros_like(c) for c in other]
                return (found + zeros) if body is true_body else (zeros + found)

            return differentiate

        grads = cond(
            inputs[0], branch(true_body, true_inputs, false_inputs), branch(false_body, false_inputs, true_inputs)
        )
        return (None,) + tuple(grads)


COND = Cond()


def cond(pred, true_fn, false_fn):
    pred = symbols([pred])[0]
    true_body, true_captured, structure = trace_body(lambda params: true_fn(), [], "cond.true")
    false_body, false_captured, other = trace_body(lambda params: false_fn(), [], "cond.false")
    if structure != other or len(true_body.outputs) != len(false_body.outputs):
        raise ValueError("cond: true_fn and false_fn must return the same structure")
    _check_same("cond", "output", true_body.outputs, false_body.outputs)
    specs = [
        (t.shape if t.shape == f.shape else tuple(a if a == b else None for a, b in zip(t.shape, f.shape)), t.dtype)
        for t, f in zip(true_body.outputs, false_body.outputs)
    ]
    attrs = dict(true_body=true_body, false_body=false_body, split=len(true_captured))
    parts = tuple_node(COND, [pred] + true_captured + false_captured, attrs, specs)
    return _unflatten(structure, parts)


# ----- while_loop -----------------------------------------------------------------------------


class While:
    name = "while_loop"
    tuple_valued = True

    @staticmethod
    def forward(xp, *arrays, test, body, count, split, maximum_iterations):
        values = arrays[:count]
        test_captured, body_captured = arrays[count : count + split], arrays[count + split :]
        history = [[] for _ in range(count)]
        iteration = 0
        while (maximum_iterations is None or iteration < maximum_iterations) and device.to_numpy(
            test.run(*values, *test_captured)[0]
        ):
            for past, value in zip(history, values):
                past.append(value)
            values = body.run(*values, *body_captured)
            iteration += 1
        pasts = [_stack(xp, h, o.shape, o.dtype) for h, o in zip(history, body.outputs)]
        return tuple(values) + tuple(pasts)

    @staticmethod
    def vjp(grads, inputs, node, needs, test, body, count, split, maximum_iterations):
        parts = components(node)
        seeds = _seeds(grads, node, count)
        captured = list(inputs[count + split :])
        history = [parts[count + i] for i in range(count)]
        past_seeds = _history_seeds(grads[count:], history)

        def step(carry, x):
            carry_seed, totals = carry[:count], carry[count:]
            before, past_seed = x[:count], x[count:]
            results = body.inline(before + captured)
            inner = [as_input(c, default_graph()) for c in captured]
            found = gradients(results, before + inner, grad_ys=carry_seed, unconnected_gradients="zero")
            new_totals = [ops.add(t, g) for t, g in zip(totals, found[count:])]
            return _add_seeds(found[:count], past_seed) + new_totals, None

        final, _ = scan(step, seeds + [ops.zeros_like(c) for c in captured], xs=history + past_seeds, reverse=True)
        return tuple(final[:count]) + (None,) * split + tuple(final[count:])


WHILE = While()


def while_loop(test, body, loop_vars, maximum_iterations=None):
    single = not isinstance(loop_vars, (list, tuple))
    leaves, structure = _flatten((loop_vars,) if single else tuple(loop_vars))
    values = symbols(leaves)
    specs = [(v.shape, v.dtype) for v in values]

    def as_args(params):
        return _unflatten(structure, params)

    test_body, test_captured, _ = trace_body(lambda params: [test(*as_args(params))], specs, "while.cond")
    if len(test_body.outputs) != 1 or test_body.outputs[0].shape not in ((), (1,)):
        raise ValueError(
            f"while_loop: cond must return one boolean scalar, got shapes {[o.shape for o in test_body.outputs]}"
        )

    def step(params):
        result = body(*as_args(params))
        return (result,) if single or not isinstance(result, (list, tuple)) else tuple(result)

    loop_body, body_captured, _ = trace_body(step, specs, "while.body")
    if len(loop_body.outputs) != len(values):
        raise ValueError(f"while_loop: body must return {len(values)} loop variables, got {len(loop_body.outputs)}")
    _check_same("while_loop", "loop variable", values, loop_body.outputs)
    attrs = dict(
        test=test_body,
        body=loop_body,
        count=len(values),
        split=len(test_captured),
        maximum_iterations=None if maximum_iterations is None else int(maximum_iterations),
    )
    result_specs = specs + [((None,) + v.shape, v.dtype) for v in values]
    parts = tuple_node(WHILE, values + test_captured + body_captured, attrs, result_specs)
    result = _unflatten(structure, parts[: len(values)])
    return result[0] if single else tuple(result)


dispatch.CONTROL_FLOW["static"] = types.SimpleNamespace(cond=cond, while_loop=while_loop, scan=scan)
