"""In-place variable updates: an update computed by a kernel that can write into a buffer (a fused
chain, e.g. the optimizer's `w - lr * g`) writes straight into the variable's storage.

Applies when that step comes after every other reader of the variable's old value, the value is
not also returned as an output, and shape and dtype match the variable. Views of the variable
taken elsewhere (e.g. an eager `ops.transpose(w)`) see the update, as with in-place ops in torch.
"""


def run(plan):
    readers = {}
    for index, step in enumerate(plan.steps):
        for slot in step.inputs:
            readers.setdefault(slot, []).append(index)
    producer = {step.output: index for index, step in enumerate(plan.steps)}
    read_slot = {id(variable): slot for slot, variable in plan.variables}
    returned = set(plan.outputs)
    for variable, slot in plan.updates:
        index = producer.get(slot)
        storage = read_slot.get(id(variable))
        if index is None or storage is None or slot in returned or storage in returned:
            continue
        step = plan.steps[index]
        node = step.node
        if (getattr(node.op, "writes_out", False) and step.out is None and node.shape == variable.shape
                and node.dtype == variable.dtype and max(readers.get(storage, [index])) <= index):
            step.out = storage
