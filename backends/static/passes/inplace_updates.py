"""In-place variable updates: an update computed by a kernel that can write into a buffer (a fused
chain, e.g. the optimizer's `w - lr * g`) writes straight into the variable's storage.

Applies when that step comes after every reader of the variable's old value and of anything that
may be a view of it, neither the old nor the new value is returned as an output, and shape and
dtype match the variable. Views of the variable taken outside the plan (e.g. an eager
`ops.transpose(w)` kept by the user) see the update, as with in-place ops in torch.

The steps that write into variables, and the steps that read what they wrote, then move to the end
of the plan in their own order: they form its commit section (`plan.commit_start`), so an error or
a Ctrl-C before it leaves every variable as it was (the function holds Ctrl-C back inside it).
Every other step, and so every reader of a variable's old value, already came before them.
"""

from .aliasing import Aliases


def run(plan):
    producer = {step.output: index for index, step in enumerate(plan.steps)}
    storage_of = {id(variable): slot for slot, variable in plan.variables}
    kept = set(plan.outputs) | set(plan.extra)
    shared = Aliases(plan.steps)
    for variable, slot in plan.updates:
        index, storage = producer.get(slot), storage_of.get(id(variable))
        if index is None or storage is None or slot in kept:
            continue
        step = plan.steps[index]
        node = step.node
        if not (
            getattr(node.op, "writes_out", False)
            and step.out is None
            and node.shape == variable.shape
            and node.dtype == variable.dtype
        ):
            continue
        old = shared.of(storage)
        if old & kept or old & {s for _, s in plan.updates if s != slot}:
            continue
        if shared.last_read(old) <= index:
            step.out = storage
    _commit_last(plan, set(storage_of.values()))


def _commit_last(plan, storages):
    written, compute, commit = set(), [], []
    for step in plan.steps:
        if step.out in storages or written.intersection(step.inputs):
            written.add(step.output)
            commit.append(step)
        else:
            compute.append(step)
    plan.steps = compute + commit
    plan.commit_start = len(compute)
