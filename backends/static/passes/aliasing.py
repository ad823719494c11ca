"""Which plan values may share memory: the safety rule of the passes that write into buffers.

Kernels of unknown kind may return views of their inputs (reshape, transpose, slicing, a branch
that returns its argument), so a value computed from a buffer by such a kernel is assumed to alias
it. Kernels known to return a new array say so (`fresh`): the primitives of elementwise ufuncs, reductions,
matmul and comparisons, and the fused kernels.
"""


def returns_new_array(node):
    return getattr(node.op, "fresh", False)


class Aliases:
    """Alias sets and last reads over one plan's steps."""

    def __init__(self, steps):
        self.views = {}  # slot -> outputs of steps that may return a view of it
        self.last = {}  # slot -> index of the last step reading it
        for index, step in enumerate(steps):
            for slot in step.inputs:
                self.last[slot] = index
                if not returns_new_array(step.node):
                    self.views.setdefault(slot, []).append(step.output)

    def of(self, slot):
        """`slot` and every value that may be a view of its buffer."""
        found, stack = {slot}, [slot]
        while stack:
            for view in self.views.get(stack.pop(), ()):
                if view not in found:
                    found.add(view)
                    stack.append(view)
        return found

    def last_read(self, slots):
        """Index of the last step reading any of `slots` (-1 if none does)."""
        return max((self.last.get(slot, -1) for slot in slots), default=-1)
