"""Lowering: an optimised graph becomes a flat plan of (kernel, input slots, output slot) steps,
replayed by one generated Python function whose body is just the kernel calls.

Slots are local variables of the generated function: feeds and variable values come in as
arguments, constants are bound in its closure, every step is one line `s7 = k3(s2, s5)`. So a call
costs the kernel calls and nothing per op beyond them.
"""
import functools
import itertools

from .. import device
from .graph import Symbol
from .walk import topological


class Step:
    __slots__ = ("kernel", "inputs", "output", "out", "node", "dead")

    def __init__(self, kernel, inputs, output, node):
        self.kernel, self.inputs, self.output, self.node = kernel, inputs, output, node
        self.out = None          # a slot whose buffer the kernel writes into (out=), set by the memory passes
        self.dead = ()           # slots no longer needed after this step (deleted when buffer_reuse is on)


class Plan:
    def __init__(self, inputs, roots, outputs, updates, xp, device_name):
        self.xp, self.device = xp, device_name
        self.slot = {}
        self._slots = itertools.count()
        self.constants, self.variables, self.steps = [], [], []
        for node in topological(roots):
            self._place(node, inputs)
        self.feeds = [self.slot[id(p)] if id(p) in self.slot else self._new_slot(p) for p in inputs]
        self.outputs = [self._source(x) for x in outputs]
        self.updates = [(variable, self._source(value)) for variable, value in updates]
        self.extra = [self.slot[id(r)] for r in roots[len(outputs) + len(updates):]]

    def _new_slot(self, node):
        self.slot[id(node)] = slot = next(self._slots)
        return slot

    def _source(self, x):
        if isinstance(x, Symbol):
            return self.slot[id(x)]
        slot = next(self._slots)
        self.constants.append((slot, x))
        return slot

    def _place(self, node, inputs):
        slot = self._new_slot(node)
        if node.kind == "placeholder":
            if not any(node is p for p in inputs):
                raise ValueError(f"function: placeholder {node.name!r} (shape {node.shape}) is needed to compute "
                                 f"the outputs but is not among the inputs, so it would never be fed")
        elif node.kind == "variable":
            self.variables.append((slot, node.variable))
        elif node.kind == "constant":
            self.constants.append((slot, device.to_device(node.value, self.device)))
        else:
            args = [self.slot[id(x)] if isinstance(x, Symbol) else self._source(x) for x in node.inputs]
            kernel = kernel_of(node, self.xp)
            self.steps.append(Step(kernel, tuple(args), slot, node))

    # ---- replay -------------------------------------------------------------------------------

    def generate(self, delete_dead):
        """The replay function `run(*feeds, *variable_values) -> (outputs, update values)`."""
        lines = [f"def run({', '.join([f's{s}' for s in self.feeds] + [f's{s}' for s, _ in self.variables])}):"]
        self.first_line = 3
        for index, step in enumerate(self.steps):
            call = ", ".join(f"s{i}" for i in step.inputs)
            if step.out is not None:
                call += f", out=s{step.out}"
            lines.append(f"    s{step.output} = k{index}({call})")
            if delete_dead and step.dead:
                lines[-1] += "; del " + ", ".join(f"s{d}" for d in step.dead)
        outputs = "".join(f"s{s}, " for s in self.outputs)
        updates = "".join(f"s{s}, " for _, s in self.updates)
        lines.append(f"    return ({outputs}), ({updates})")
        names = [f"k{i}" for i in range(len(self.steps))] + [f"s{s}" for s, _ in self.constants]
        source = (f"def build({', '.join(names)}):\n" + "\n".join("    " + line for line in lines)
                  + "\n    return run\n")
        code = compile(source, self.filename, "exec")
        scope = {}
        exec(code, scope)
        self.source = source
        return scope["build"](*[s.kernel for s in self.steps], *[v for _, v in self.constants])

    @property
    def filename(self):
        return f"<kerasish plan {id(self):x}>"

    def failing_step(self, traceback):
        """The step whose line raised, and the runtime values of its inputs, from a traceback."""
        while traceback is not None:
            frame = traceback.tb_frame
            if frame.f_code.co_filename == self.filename and frame.f_code.co_name == "run":
                index = traceback.tb_lineno - self.first_line
                if 0 <= index < len(self.steps):
                    step = self.steps[index]
                    return step, [frame.f_locals.get(f"s{i}") for i in step.inputs]
            traceback = traceback.tb_next
        return None, None

    def run_steps(self, values, observe=None):
        """Interpret the plan step by step (profiling and memory reports); `values` maps slot -> array."""
        for step in self.steps:
            args = [values[i] for i in step.inputs]
            if step.out is not None:
                values[step.output] = step.kernel(*args, out=values[step.out])
            else:
                values[step.output] = step.kernel(*args)
            if observe is not None:
                observe(step, values)
        return values


def kernel_of(node, xp):
    """The callable a step runs: the primitive's forward bound to xp and the attributes (a fused
    chain is generated once here instead)."""
    if hasattr(node.op, "kernel"):
        return node.op.kernel(xp, count=len(node.inputs), **node.attrs)
    return functools.partial(node.op.forward, xp, **node.attrs)


def sizeof(values):
    """Bytes held by distinct array buffers among `values` (views of one buffer count once)."""
    seen, total = set(), 0
    for value in values:
        base = getattr(value, "base", None)
        owner = value if base is None else base
        if hasattr(owner, "nbytes") and id(owner) not in seen:
            seen.add(id(owner))
            total += owner.nbytes
    return total

