"""Liveness-based buffer reuse.

Every step gets the list of slots whose last use it is. With the pass on, the replay deletes them
right after (so numpy frees the memory) and a kernel that can write into a buffer (`out=`, the
fused elementwise chains) is handed a dead intermediate of the same shape and dtype instead of
allocating. With it off, every intermediate lives until the call returns. `Function.peak_memory`
reports the difference.
"""

from .aliasing import Aliases


def run(plan, enabled):
    kept = set(plan.outputs) | {slot for _, slot in plan.updates} | set(plan.extra)
    owned = {step.output for step in plan.steps} - kept
    last_use = {}
    for index, step in enumerate(plan.steps):
        for slot in step.inputs:
            last_use[slot] = index
    dead = [[] for _ in plan.steps]
    for slot, index in last_use.items():
        if slot in owned:
            dead[index].append(slot)
    for index, step in enumerate(plan.steps):
        if step.output in owned and step.output not in last_use:
            dead[index].append(step.output)
    for step, slots in zip(plan.steps, dead):
        step.dead = tuple(sorted(set(slots)))
    if "buffer_reuse" in enabled:
        _reuse(plan, kept)


def _reuse(plan, kept):
    """Give out-capable kernels a dead buffer of the same fixed shape and dtype (not one of their inputs).

    Only buffers that such kernels produced are recycled, once nothing reads them or any value that
    may be a view of them; a buffer some kept value may view is never recycled.
    """
    writers = {
        step.output: _key(step.node)
        for step in plan.steps
        if getattr(step.node.op, "writes_out", False) and step.out is None and _key(step.node) is not None
    }
    produced = {step.output: index for index, step in enumerate(plan.steps)}
    shared = Aliases(plan.steps)
    released = {}
    for slot in writers:
        views = shared.of(slot)
        if not views & kept:
            released.setdefault(max(shared.last_read(views), produced[slot]), []).append(slot)
    free, deleted_at = {}, {}
    for index, step in enumerate(plan.steps):
        key = writers.get(step.output)
        pool = [slot for slot in free.get(key, ()) if slot not in step.inputs] if step.out is None else []
        if pool:
            step.out = pool[0]
            free[key].remove(step.out)
            owner = deleted_at.pop(step.out)
            owner.dead = tuple(slot for slot in owner.dead if slot != step.out)
            step.dead = step.dead + (step.out,)
        for slot in step.dead:
            deleted_at[slot] = step
        for slot in released.get(index, ()):
            if slot in deleted_at and slot != step.out:
                free.setdefault(writers[slot], []).append(slot)


def _key(node):
    if None in node.shape:
        return None
    return node.shape, str(node.dtype)
