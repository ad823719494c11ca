"""Lowering: an optimised graph becomes a flat plan of (kernel, input slots, output slot) steps,
replayed by generated Python code whose body is just the kernel calls.

Slots are local variables of the generated functions: feeds and variable values come in as
arguments, constants are bound in their closure, every step is one line `s7 = k3(s2, s5)`. So a call
costs the kernel calls and nothing per op beyond them. There are two functions: `compute` runs the
steps before `commit_start` and returns the slots still needed; `commit` runs the rest (the steps that
write into variables, see passes/inplace_updates.py). The caller settles the value checks and holds
Ctrl-C back between the two.
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
        self.out = None  # a slot whose buffer the kernel writes into (out=), set by the memory passes
        self.dead = ()  # slots no longer needed after this step (deleted when buffer_reuse is on)


class Plan:
    def __init__(self, inputs, roots, outputs, updates, xp, device_name):
        self.xp, self.device = xp, device_name
        self.slot = {}
        self._slots = itertools.count()
        self.constants, self.variables, self.steps = [], [], []
        self.commit_start = None  # index of the first step of the commit section (None: no such section)
        for node in topological(roots):
            self._place(node, inputs)
        self.feeds = [self.slot[id(p)] if id(p) in self.slot else self._new_slot(p) for p in inputs]
        self.outputs = [self._source(x) for x in outputs]
        self.updates = [(variable, self._source(value)) for variable, value in updates]
        self.extra = [self.slot[id(r)] for r in roots[len(outputs) + len(updates) :]]

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
                raise ValueError(
                    f"function: placeholder {node.name!r} (shape {node.shape}) is needed to compute "
                    f"the outputs but is not among the inputs, so it would never be fed"
                )
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
        """The replay functions `compute(*feeds, *variable_values) -> live slots` and
        `commit(*live slots) -> (outputs, update values)`."""
        start = len(self.steps) if self.commit_start is None else self.commit_start
        commit_steps = self.steps[start:]
        read = [slot for step in commit_steps for slot in (*step.inputs, step.out) if slot is not None]
        returned = self.outputs + [slot for _, slot in self.updates]
        not_passed = {step.output for step in commit_steps} | {slot for slot, _ in self.constants}
        live = list(dict.fromkeys(slot for slot in read + returned if slot not in not_passed))
        self.step_lines = {}
        lines = []
        for name, params, steps, offset, returns in (
            (
                "compute",
                self.feeds + [s for s, _ in self.variables],
                self.steps[:start],
                0,
                "(" + "".join(f"s{s}, " for s in live) + ")",
            ),
            (
                "commit",
                live,
                commit_steps,
                start,
                "({}), ({})".format(
                    "".join(f"s{s}, " for s in self.outputs), "".join(f"s{s}, " for _, s in self.updates)
                ),
            ),
        ):
            lines.append(f"def {name}({', '.join(f's{s}' for s in params)}):")
            for index, step in enumerate(steps, offset):
                call = ", ".join(f"s{i}" for i in step.inputs)
                if step.out is not None:
                    call += f", out=s{step.out}"
                self.step_lines[(name, len(lines) + 2)] = index  # source line: after `def build(...)`
                lines.append(f"    s{step.output} = k{index}({call})")
                if delete_dead and step.dead:
                    lines[-1] += "; del " + ", ".join(f"s{d}" for d in step.dead)
            lines.append(f"    return {returns}")
        names = [f"k{i}" for i in range(len(self.steps))] + [f"s{s}" for s, _ in self.constants]
        source = (
            f"def build({', '.join(names)}):\n"
            + "\n".join("    " + line for line in lines)
            + "\n    return compute, commit\n"
        )
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
            if frame.f_code.co_filename == self.filename:
                index = self.step_lines.get((frame.f_code.co_name, traceback.tb_lineno))
                if index is not None:
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
