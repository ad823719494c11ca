"""Graph nodes for cond, while_loop and scan, with gradients.

A branch or loop body is traced once into a child Graph (`Body`): its arguments become
placeholders, and the outer symbols (and Variables) it uses are captured as extra inputs of the
node. A control-flow node computes several results, so it is a tuple-valued node read through
`component` nodes. Its gradient is built from the same ops, so the backward pass of a scan is itself a
scan (and differentiable again). A branch's or a while loop's gradient inlines the body into a new body
and differentiates it there; a scan's gradient is traced once per body (`ScanGradient`), and the forward
scan stacks the values that gradient reads (the residuals, and the carries it reads), so the backward
steps read them instead of running the forward step again.
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

    def __init__(self, graph, params, outputs, origin=None):
        self.graph, self.params, self.outputs = graph, params, outputs
        self.origin = origin  # for a body that also emits its gradient's residuals: that ScanGradient
        self._compiled = None
        self._gradient = None

    def run(self, *arrays):
        """The outputs for one set of argument arrays (compiled on first use, on the current device)."""
        if self._compiled is None:
            self._compiled = Function(self.params, list(self.outputs), [], None, None, f"body {self.graph.name}")
        return self._compiled._run(*arrays)[0]

    def inline(self, args):
        """Copy the body's computation into the current graph with `args` for its params."""
        return copy_nodes(self.outputs, {id(p): a for p, a in zip(self.params, args)})

    def scan_gradient(self, carries, sequences):
        """The ScanGradient of a scan over this body, traced on first use (a body extended with residuals
        gives the one that extended it)."""
        if self.origin is not None:
            return self.origin
        if self._gradient is None:
            self._gradient = ScanGradient(self, carries, sequences)
        return self._gradient


def copy_nodes(outputs, mapping):
    """Copy the computation of `outputs` into the current graph. `mapping`: {id(symbol): the value to use
    instead}, for every placeholder reached (and any other symbol whose value is known)."""
    graph = default_graph()
    mapping = dict(mapping)
    for node in topological(outputs, stop=mapping):
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
                for i, part in components(node).items():
                    mapping.setdefault(id(part), copy.value[i])
        else:
            raise ValueError(f"inline: body input {node.name!r} has no argument")
    return [as_input(mapping[id(o)], graph) for o in outputs]


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
    def forward(xp, *arrays, body, carries, sequences, outputs, reverse, length, residuals=(), history=None):
        carry = arrays[:carries]
        xs = arrays[carries : carries + sequences]
        captured = arrays[carries + sequences :]
        steps = xs[0].shape[0] if sequences else length
        by_shape = (False,) * outputs + tuple(residuals)
        stored = range(carries) if history is None else history  # None: a node saved before `history` existed
        stacks, pasts = [None] * len(by_shape), dict.fromkeys(stored)
        for i in range(steps - 1, -1, -1) if reverse else range(steps):
            pasts = {k: _store(xp, stack, i, carry[k], steps) for k, stack in pasts.items()}
            results = body.run(*carry, *[x[i] for x in xs], *captured)
            carry = results[:carries]
            stacks = [
                _store(xp, stack, i, value, steps, shape)
                for stack, value, shape in zip(stacks, results[carries:], by_shape)
            ]
        specs = body.outputs
        if not steps:
            stacks = [_stack(xp, [], o.shape, o.dtype) for o in specs[carries:]]
            pasts = {k: _stack(xp, [], specs[k].shape, specs[k].dtype) for k in pasts}
        return tuple(carry) + tuple(stacks[:outputs]) + tuple(map(pasts.get, range(carries))) + tuple(stacks[outputs:])

    @staticmethod
    def vjp(grads, inputs, node, needs, body, carries, sequences, outputs, reverse, length, residuals=(), history=None):
        given = dict(zip(sorted(components(node)), grads))  # by component index (a loaded graph may lack some)
        traced = _keep_residuals(node)
        residuals = node.attrs.get("residuals", ())
        base = 2 * carries + outputs
        kept_at = base + len(residuals) - len(traced.kept)  # the components of `traced`'s residuals start here

        def seed(i):
            return given[i] if given.get(i) is not None else ops.zeros_like(_component(node, i))

        kept = [_component(node, i) for i in range(kept_at, kept_at + len(traced.kept))]
        seeds = [seed(i) for i in [*range(carries + outputs), *range(base, kept_at)]]  # carries, then ys
        values = [kept_at + j for j, shape in enumerate(traced.by_shape) if not shape]
        kept_seeds = _optional_seeds([given.get(i) for i in values], [_component(node, i) for i in values])
        xs, captured = list(inputs[carries : carries + sequences]), list(inputs[carries + sequences :])
        wanted_xs = [carries + k for k in range(sequences) if needs[carries + k]]
        wanted_captured = [i for i in range(carries + sequences, len(inputs)) if needs[i]]
        wanted = [*range(carries), *wanted_xs, *wanted_captured]
        reads = traced.carries_read(wanted, through=bool(kept_seeds))
        stored = _keep_history(node, reads)
        seeded = [k for k in stored if given.get(carries + outputs + k) is not None]
        seeded = stored if seeded else []  # gradients that reached the stored carries (higher-order passes)
        past_seeds = [seed(carries + outputs + k) for k in seeded]
        history = [_component(node, carries + outputs + k) for k in reads]
        sizes = [len(reads), sequences, len(seeds) - carries, len(seeded), len(kept), len(kept_seeds)]

        def step(carry, x):
            before, x_i, y_seed, past_seed, kept_i, kept_seed = _split(x, sizes)
            args = [dict(zip(reads, before)).get(k) for k in range(carries)] + x_i + captured
            found = traced.backward(args, carry[:carries] + y_seed, kept_i, kept_seed, wanted)
            carry_grads = [ops.zeros_like(s) if g is None else g for g, s in zip(found[:carries], carry)]
            for k, g in zip(seeded, past_seed):
                carry_grads[k] = ops.add(carry_grads[k], g)
            totals = [t if found[i] is None else ops.add(t, found[i]) for t, i in zip(carry[carries:], wanted_captured)]
            x_grads = [ops.zeros_like(x_i[i - carries]) if found[i] is None else found[i] for i in wanted_xs]
            return carry_grads + totals, x_grads or None

        final, x_grads = scan(
            step,
            seeds[:carries] + [ops.zeros_like(inputs[i]) for i in wanted_captured],
            xs=history + xs + seeds[carries:] + past_seeds + kept + kept_seeds,
            reverse=not reverse,
        )
        found = dict(zip(wanted_xs, x_grads or ()))
        found.update(zip(wanted_captured, final[carries:]))
        return tuple(final[:carries]) + tuple(found.get(i) for i in range(carries, len(inputs)))


class ScanGradient:
    """The gradient of a scan body, traced once, and what its backward steps read of the forward pass.

    The body is inlined into a scratch graph with fresh params and differentiated there against one
    placeholder seed per output. Of the forward values the gradient reads, the params are what the
    backward scan has anyway (a carry: the stored history; a step input: xs; a capture: the same outer
    symbol); values that are the same at every step, and arrays made from a shape alone (zeros_like), are
    computed again; the rest, the residuals (`kept`), are extra per-step outputs of the forward body
    (`forward`), which the forward scan stacks, so that a backward step reads them instead of running
    the forward step again. A residual read for its shape alone (the gradient of a slice reads the sliced
    array's shape) is stacked as a broadcast zero (`by_shape`), which holds no memory.
    """

    def __init__(self, body, carries, sequences):
        self.carries = carries
        self.graph = graph = Graph(parent=body.graph.parent, name=f"{body.graph.name}.gradient")
        with graph.as_default():
            self.params = [
                placeholder(p.shape, p.dtype, name=f"{graph.name}.arg{i}") for i, p in enumerate(body.params)
            ]
            self.results = body.inline(self.params)
            self.seeds = [
                placeholder(r.shape, r.dtype, name=f"{graph.name}.seed{i}") for i, r in enumerate(self.results)
            ]
            self.found = gradients(self.results, self.params, grad_ys=self.seeds)
        self.kept, self.by_shape = _residuals(self.found, self.seeds, self.params[: carries + sequences])
        self.forward = Body(graph, self.params, self.results + self.kept, origin=self)
        self._through_kept = None

    def carries_read(self, wanted, through):
        """The positions of the carries whose values the backward step reads (through: with the gradient
        of the residuals too), so the forward scan stores their history."""
        carries = {id(p): k for k, p in enumerate(self.params[: self.carries])}
        roots = [self.found[i] for i in wanted if self.found[i] is not None]
        found = {carries[id(n)] for n in topological(roots, stop={id(r) for r in self.kept}) if id(n) in carries}
        if through:
            gradient, _ = self._through()
            values = {id(r) for r, shape in zip(self.kept, self.by_shape) if not shape}
            roots = [gradient[i] for i in wanted if gradient[i] is not None]
            found.update(carries[id(n)] for n in topological(roots, stop=values) if id(n) in carries)
        return sorted(found)

    def backward(self, args, seeds, kept, kept_seeds, wanted):
        """The gradient symbols of the params at the positions `wanted` (elsewhere, and where a param gets
        none, None) in one backward step: `args` stand for the params, `seeds` for the outputs' gradients,
        `kept` for the residuals, and `kept_seeds` (in higher-order passes, else []) for gradients that
        reached the residuals read for their values."""
        given = {id(p): a for p, a in zip(self.params, args) if a is not None}
        mapping = {**given, **{id(s): g for s, g in zip(self.seeds, seeds)}}
        mapping.update((id(r), v) for r, v in zip(self.kept, kept))
        found = _copy_found(self.found, wanted, mapping)
        if kept_seeds:  # the residuals are functions of the params too: add d<kept_seeds, kept>/d(params)
            through, placeholders = self._through()
            values = [(r, v) for r, v, shape in zip(self.kept, kept, self.by_shape) if not shape]
            mapping = dict(given)
            mapping.update((id(r), v) for r, v in values)
            mapping.update((id(p), g) for p, g in zip(placeholders, kept_seeds))
            more = _copy_found(through, wanted, mapping)
            found = [g if h is None else h if g is None else ops.add(g, h) for g, h in zip(found, more)]
        return found

    def _through(self):
        """The gradient of the residuals read for their values, against placeholder seeds (traced once)."""
        if self._through_kept is None:
            values = [r for r, shape in zip(self.kept, self.by_shape) if not shape]
            with self.graph.as_default():
                seeds = [placeholder(r.shape, r.dtype, name=f"{self.graph.name}.kept{i}") for i, r in enumerate(values)]
                self._through_kept = (
                    gradients(values, self.params, grad_ys=seeds) if values else [None] * len(self.params),
                    seeds,
                )
        return self._through_kept


def _copy_found(found, wanted, mapping):
    """Copies of `found[i]` for i in `wanted` (None elsewhere and where found[i] is None)."""
    targets = [i for i in wanted if found[i] is not None]
    copies = dict(zip(targets, copy_nodes([found[i] for i in targets], mapping)))
    return [copies.get(i) for i in range(len(found))]


def _residuals(found, seeds, changing):
    """The forward symbols the gradient `found` reads that change from step to step (they depend on the
    params `changing`) and are not made from shapes alone, in topological order, and for each whether it
    is read for its shape alone."""
    order = topological(found)
    seeded, changing = {id(s) for s in seeds}, {id(p) for p in changing}
    wanted = []
    for node in order:
        inputs = [(i, x) for i, x in enumerate(node.inputs) if isinstance(x, Symbol)]
        if any(id(x) in changing for _, x in inputs):
            changing.add(id(node))
        if any(id(x) in seeded for _, x in inputs):
            seeded.add(id(node))
            shape_only = getattr(node.op, "shape_only", ())
            wanted += [(x, i in shape_only) for i, x in inputs if id(x) not in seeded]
    wanted += [(g, False) for g in found if g is not None and id(g) not in seeded]
    kept = {}
    while wanted:
        x, shape = wanted.pop()
        if x.kind != "op" or id(x) not in changing:
            continue  # a param, a constant, or the same at every step: given to the backward step or computed there
        inputs = [(i, y) for i, y in enumerate(x.inputs) if isinstance(y, Symbol)]
        shape_only = getattr(x.op, "shape_only", ())
        if all(i in shape_only for i, _ in inputs):  # made from shapes alone: computed again from its inputs' shapes
            wanted += [(y, True) for _, y in inputs]
            continue
        entry = kept.setdefault(id(x), [x, True])
        entry[1] = entry[1] and shape
    stored = {key for key, (_, shape) in kept.items() if not shape}
    pinned = set()
    for node in reversed(order):  # users first: a value computed again keeps what it is computed from
        if id(node) in stored and id(node) not in pinned:
            sources = _elementwise_sources(node, kept, stored, changing)
            if sources is not None:
                stored.discard(id(node))
                del kept[id(node)]
                pinned |= sources
    chosen = [kept[id(node)] for node in order if id(node) in kept]
    return [x for x, _ in chosen], tuple(shape for _, shape in chosen)


def _elementwise_sources(node, kept, stored, changing):
    """The stored values from which elementwise links alone compute `node` (`1 - s` from a stored `s`),
    or None if they do not: such a value is computed again in the backward step, where it joins the
    gradient's fused elementwise chain, instead of being written and read as a stack. (A residual kept
    for its shape alone cannot be a source: the backward step has only its shape.)"""
    sources, pending, seen = set(), [node], set()
    while pending:
        x = pending.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if x is not node and id(x) in kept:
            if id(x) not in stored:
                return None
            sources.add(id(x))
        elif x is node or (id(x) in changing and x.kind == "op"):
            if getattr(x.op, "fusion", None) is None:
                return None
            pending += [y for y in x.inputs if isinstance(y, Symbol)]
    return sources


def _keep_residuals(node):
    """The ScanGradient of the scan `node`, which from now on also emits the residuals the gradient reads
    (stacked, as results after its others)."""
    attrs = node.attrs
    body, carries = attrs["body"], attrs["carries"]
    traced = body.scan_gradient(carries, attrs["sequences"])
    if body is not traced.forward and traced.kept:
        node.attrs = dict(attrs, body=traced.forward, residuals=attrs.get("residuals", ()) + traced.by_shape)
    return traced


def _component(node, i):
    """Result `i` of the scan `node`: its component symbol, made here if the graph has none (a loaded
    graph holds only the components its saved outputs read)."""
    parts = components(node)
    if i not in parts:
        attrs = node.attrs
        body, carries, outputs = attrs["body"], attrs["carries"], attrs["outputs"]
        if i < carries:
            spec = body.outputs[i].shape, body.outputs[i].dtype
        else:  # a stack: outputs, the carries' history, then the residuals
            history = carries + outputs <= i < 2 * carries + outputs
            like = (
                body.params[i - carries - outputs]
                if history
                else body.outputs[i if i < carries + outputs else i - carries]
            )
            spec = (attrs["length"],) + like.shape, like.dtype
        parts[i] = Symbol(node.graph, "op", COMPONENT, (node,), {"index": i}, *spec)
    return parts[i]


def _keep_history(node, carries):
    """The positions of the carries whose history the scan `node` stores, which from now on include `carries`."""
    stored = node.attrs.get("history")
    if stored is None:
        return list(range(node.attrs["carries"]))
    if not set(carries) <= set(stored):
        stored = tuple(sorted(set(stored) | set(carries)))
        node.attrs = dict(node.attrs, history=stored)
    return list(stored)


def _store(xp, stack, i, value, steps, by_shape=False):
    """Step `i`'s value written into its (steps, ...) stack, made at the first step; a value read for its
    shape alone is stacked as a broadcast zero."""
    if stack is None:
        shape = (steps,) + tuple(value.shape)
        if by_shape:
            return xp.broadcast_to(xp.zeros((), value.dtype), shape)
        stack = xp.empty(shape, value.dtype)
    if not by_shape:
        stack[i] = value
    return stack


def _split(values, sizes):
    parts, start = [], 0
    for size in sizes:
        parts.append(list(values[start : start + size]))
        start += size
    return parts


def _optional_seeds(grads, symbols):
    """Gradients that reached stored values (the history of carries, the residuals: higher-order passes
    use them), zeros where one did not, or [] if none did."""
    if all(g is None for g in grads):
        return []
    return [g if g is not None else ops.zeros_like(s) for g, s in zip(grads, symbols)]


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
        body=body,
        carries=carries,
        sequences=len(xs_symbols),
        outputs=outputs,
        reverse=bool(reverse),
        length=steps,
        history=(),  # the carries whose history is stored: those a gradient reads, added when it is built
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
        past_seeds = _optional_seeds(grads[count:], history)

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
