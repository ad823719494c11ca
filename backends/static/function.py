"""`function(inputs, outputs, updates)`: compile a graph into a plan and call it with arrays.

Like theano.function / K.function / Session.run: `f = function([x, y], [loss], updates=[(w, w - lr * g)])`
then `f(x_batch, y_batch)` (or `f([x_batch, y_batch])`) returns the outputs as arrays and then
applies the updates to the variables.
"""

import numpy

from .. import device as devices
from ..errors import error_kind
from ..interrupts import DeferredInterrupts
from ..primitives.checks import deferred as deferred_checks
from ..primitives.registry import ops
from ..variable import Variable
from . import passes as optimisations
from .graph import Graph, Symbol, constant, default_graph
from .passes import buffer_reuse, dead_code, inplace_updates
from .passes.aliasing import returns_new_array
from .plan import Plan, sizeof


def function(inputs, outputs, updates=None, passes=None, device=None, name=None):
    """Compile `outputs` (a symbol or a list) as a function of the placeholders `inputs`.

    `updates`: (variable, new value) pairs applied after the outputs are computed; a variable may
    be a kerasish.Variable or a variable symbol. `passes`: None (all on), a list of pass names or
    a {name: bool} dict (see `passes.NAMES`). `device`: "cpu" or "gpu" (default: the current one).
    """
    return Function(inputs, outputs, updates or [], passes, device, name)


class Function:
    def __init__(self, inputs, outputs, updates, passes, device, name):
        self.name = name or "function"
        self.single = not isinstance(outputs, (list, tuple))
        self.inputs = _placeholders(inputs if isinstance(inputs, (list, tuple)) else [inputs])
        self.outputs = [_output(x) for x in ([outputs] if self.single else outputs)]
        self.updates = _updates(updates)
        self.passes = optimisations.resolve(passes)
        self.device = devices._resolve(device) if device is not None else devices.current()
        self.plan = compile_plan(self.inputs, self.outputs, self.updates, self.passes, self.device)
        self._compute, self._commit = self.plan.generate(delete_dead="buffer_reuse" in self.passes)
        self._checks = [_feed_check(p, self.device) for p in self.inputs]

    def __call__(self, *feeds):
        outputs = self.execute(self.feed(feeds))
        return outputs[0] if self.single else list(outputs)

    def execute(self, arrays):
        """Run the plan on arrays already checked by `feed`; apply the updates; return the outputs.

        All or nothing: everything is computed and every value check settled before the commit
        section (the in-place updates) runs and the other new values are swapped in, and Ctrl-C is
        held back from there on. So an error in the computation or a Ctrl-C leaves every variable as
        it was before the call, except a Ctrl-C during the commit, which is raised once all updates
        are in.
        """
        plan = self.plan
        current = [v._data for _, v in plan.variables]
        if self.device != "cpu":
            current = [devices.to_device(value, self.device) for value in current]
        interrupts = DeferredInterrupts()
        try:
            with deferred_checks():
                live = self._compute(*arrays, *current)
            if plan.updates:
                interrupts.enter()
            outputs, values = self._commit(*live)
            for (variable, _), value, shared in zip(plan.updates, values, plan.shared_updates):
                variable._data = value.copy() if shared else value
        except Exception as error:
            raise self._explain(error) from error
        finally:
            interrupts.exit()
        return outputs

    def _run(self, *arrays):
        """The outputs and update values for feeds and variable values (nothing is updated)."""
        return self._commit(*self._compute(*arrays))

    def feed(self, feeds):
        """The inputs as arrays of the placeholders' dtypes on the plan's device (shapes checked)."""
        if (
            len(feeds) == 1
            and isinstance(feeds[0], (list, tuple))
            and (len(self.inputs) != 1 or all(hasattr(a, "shape") for a in feeds[0]))
        ):
            feeds = tuple(feeds[0])
        if len(feeds) != len(self.inputs):
            names = ", ".join(repr(p.name) for p in self.inputs)
            raise ValueError(f"{self.name}: expected {len(self.inputs)} inputs ({names}), got {len(feeds)}")
        return [check(a) for check, a in zip(self._checks, feeds)]

    def _explain(self, error):
        step, values = self.plan.failing_step(error.__traceback__)
        if step is None and hasattr(error, "deferred_check"):  # a check read after the plan ran (on cupy)
            position, count = error.deferred_check
            checks = [step for step in self.plan.steps if getattr(step.node.op, "checks", False)]
            step = checks[position] if len(checks) == count else None
        if step is None:
            return error
        node = step.node
        if getattr(node.op, "checks", False):  # a value check's error is the user's own: node appended
            return type(error)(f"{error} (in {self.name}, node {node.name!r})")
        shapes = ", ".join(str(tuple(getattr(v, "shape", ()))) for v in values)
        kind = error_kind(error)
        return kind(f"{self.name}: {node.op.name} (node {node.name!r}) failed on inputs of shapes {shapes}: {error}")

    def peak_memory(self, *feeds):
        """Run once step by step and return the peak bytes held by intermediate results."""
        plan = self.plan
        values = dict(plan.constants)
        values.update(zip(plan.feeds, self.feed(feeds)))
        values.update((slot, variable._data) for slot, variable in plan.variables)
        fixed = sizeof(values.values())
        peak = [0]
        delete = "buffer_reuse" in self.passes

        def observe(step, current):
            peak[0] = max(peak[0], sizeof(current.values()) - fixed)
            if delete:
                for slot in step.dead:
                    current.pop(slot, None)

        plan.run_steps(values, observe)
        return peak[0]

    def summary(self, print_fn=None):
        from .display import plan_summary

        return plan_summary(self, print_fn)

    def to_dot(self):
        """Graphviz text of the optimised plan."""
        from .display import graph_to_dot

        return graph_to_dot(None, [step.node for step in self.plan.steps])


def compile_plan(inputs, outputs, updates, enabled, device_name):
    updates = dead_code.live_updates(updates) if "dead_code" in enabled else updates
    extra = [] if "dead_code" in enabled else dead_code.reachable_from(inputs)
    roots = list(outputs) + [value for _, value in updates] + extra
    context = Context(Graph(name="plan"), devices.xp_of(device_name), device_name)
    for name, run in optimisations.REWRITES.items():
        if name in enabled:
            roots = run(roots, context)
    count = len(outputs)
    plan = Plan(
        inputs,
        roots,
        roots[:count],
        list(zip([v for v, _ in updates], roots[count : count + len(updates)])),
        context.xp,
        device_name,
    )
    if "inplace_updates" in enabled:
        inplace_updates.run(plan)
    buffer_reuse.run(plan, enabled)
    produced = {step.output: step.node for step in plan.steps}
    # an update value that may share memory with a feed, a constant or another variable is copied,
    # so that every variable owns its storage
    plan.shared_updates = [slot not in produced or not returns_new_array(produced[slot]) for _, slot in plan.updates]
    return plan


class Context:
    """What a rewriting pass may use: the scratch graph for new nodes, the array module and device."""

    def __init__(self, graph, xp, device_name):
        self.graph, self.xp, self.device = graph, xp, device_name


def _placeholders(inputs):
    for position, x in enumerate(inputs):
        if not isinstance(x, Symbol) or x.kind != "placeholder":
            raise TypeError(f"function: inputs must be placeholders, got {x!r}")
        if any(x is other for other in inputs[:position]):
            raise ValueError(f"function: placeholder {x.name!r} is listed twice among the inputs")
    return list(inputs)


def _output(x):
    if isinstance(x, Symbol):
        return x
    if isinstance(x, Variable):
        return default_graph().read(x)
    return constant(x)


def _updates(pairs):
    result, seen = [], set()
    for pair in pairs:
        target, value = pair
        variable = target.variable if isinstance(target, Symbol) else target
        if not isinstance(variable, Variable):
            raise TypeError(f"function: an update target must be a Variable or a variable symbol, got {target!r}")
        if id(variable) in seen:
            raise ValueError(f"function: variable {variable.name!r} is updated twice")
        seen.add(id(variable))
        if not isinstance(value, Symbol):
            value = constant(numpy.asarray(devices.to_numpy(getattr(value, "_data", value)), dtype=variable.dtype))
        if len(value.shape) != len(variable.shape) or any(
            d is not None and d != v for d, v in zip(value.shape, variable.shape)
        ):
            raise ValueError(
                f"function: update of variable {variable.name!r} (shape {variable.shape}) has shape {value.shape}"
            )
        if value.dtype != variable.dtype:
            with value.graph.as_default():
                value = ops.cast(value, variable.dtype.name)
        result.append((variable, value))
    return result


def _feed_check(placeholder, device_name):
    """A fast converter for one input: to an array of the placeholder's dtype and the plan's device,
    shape checked."""
    expected_dtype, shape, name = placeholder.dtype, placeholder.shape, placeholder.name
    exact = None if None in shape else shape
    ndarray = numpy.ndarray
    on_cpu = device_name == "cpu"

    def check(array):
        if type(array) is not ndarray or array.dtype != expected_dtype:
            array = _convert(array, expected_dtype, name)
        if array.shape != exact and (
            exact is not None
            or len(array.shape) != len(shape)
            or any(d is not None and d != a for d, a in zip(shape, array.shape))
        ):
            raise ValueError(f"Placeholder {name!r}: expected shape {_show(shape)}, got {tuple(array.shape)}")
        return array if on_cpu else devices.to_device(array, device_name)

    return check


def _convert(value, dtype, name):
    """Typed arrays must have the placeholder's kind of dtype (float64 data may feed a float32
    placeholder); lists and Python numbers are converted."""
    value = getattr(value, "_data", value)
    typed = devices.is_cupy(value) or isinstance(value, (numpy.ndarray, numpy.generic))
    if not devices.is_cupy(value):
        value = numpy.asarray(value)
    if typed and value.dtype.kind != dtype.kind:
        raise TypeError(f"Placeholder {name!r}: expected dtype {dtype.name}, got {value.dtype.name}")
    return value.astype(dtype, copy=False)


def _show(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
