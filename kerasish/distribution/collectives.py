"""What a data-parallel step exchanges between processes, on the one `allreduce` primitive
(backends/primitives/collective.py), so a static plan contains the exchange and the tape records it.

- Gradients are averaged once per step in buckets: per dtype, consecutive gradients are flattened and
  concatenated up to BUCKET_BYTES, each bucket is one allreduce, and the result is split back. Each
  process's bucket is first multiplied by its share of the global batch (`batch_share`: local size x
  processes / global size, 1 for equal shards), so uneven shards average to the gradient of the
  global batch's mean loss exactly.
- The initial variables go out from rank 0 once the model and its optimizer are built, after every
  process has checked that its variables have the shapes and dtypes of rank 0's.
- Metric results for the logs are computed from the sum of every process's metric variables (totals
  and counts add up across processes), leaving the local variables as they were.
"""

import math

from kerasish import ops
from kerasish.backends import config
from kerasish.backends.primitives import collective
from kerasish.backends.variable import Variable
from kerasish.distribution.distribution_lib import communicator, distribution

BUCKET_BYTES = 25 * 2**20  # PyTorch DistributedDataParallel's default bucket size
_share = []
_reduced_by_caller = [0]
_synchronized = {}  # id(model) -> the ids of the variables last broadcast to every process


def allreduce(x, op="mean"):
    """`x` summed (op="sum") or averaged (op="mean") over every process; differentiable, on both engines."""
    communicator()
    return collective.allreduce(x, op=op)


def batch_share():
    """The Variable holding this process's share of the current global batch (see the module doc)."""
    if not _share:
        _share.append(Variable(1.0, shape=(), dtype=config.floatx(), trainable=False, name="batch_share"))
    return _share[0]


def allreduce_gradients(gradients):
    """Average `gradients` (None entries pass through) over every process, in buckets."""
    communicator()
    present = [index for index, g in enumerate(gradients) if g is not None]
    result = list(gradients)
    share = batch_share()
    for bucket in _buckets([gradients[index] for index in present], present):
        flat = ops.concatenate([ops.reshape(gradients[index], (-1,)) for index in bucket])
        flat = collective.allreduce(flat * ops.cast(share, flat.dtype), op="mean")
        start = 0
        for index in bucket:
            shape = tuple(gradients[index].shape)
            size = math.prod(shape)
            result[index] = ops.reshape(flat[start : start + size], shape)
            start += size
    return result


def _buckets(gradients, indices):
    """Consecutive gradients of one dtype, BUCKET_BYTES at most each (a larger gradient is a bucket alone)."""
    buckets, current, used, dtype = [], [], 0, None
    for gradient, index in zip(gradients, indices):
        size = math.prod(gradient.shape) * gradient.dtype.itemsize
        if current and (gradient.dtype != dtype or used + size > BUCKET_BYTES):
            buckets.append(current)
            current, used = [], 0
        current.append(index)
        used += size
        dtype = gradient.dtype
    if current:
        buckets.append(current)
    return buckets


def reduce_gradients(gradients):
    """The optimizer's hook: gradients averaged over processes under a distribution, else as they are."""
    if distribution() is None or _reduced_by_caller[0]:
        return gradients
    return allreduce_gradients(gradients)


class gradients_reduced:
    """Inside: `reduce_gradients` leaves gradients alone (the caller, DistributedOptimizer, reduced them)."""

    def __enter__(self):
        _reduced_by_caller[0] += 1

    def __exit__(self, *exc):
        _reduced_by_caller[0] -= 1


def broadcast_variables(variables, root_rank=0):
    """Give every process the values of `variables` on process `root_rank` (first checking they match)."""
    transport = communicator()
    variables = list(variables)
    check_same_variables(variables)
    for variable in variables:
        variable.assign(transport.broadcast(variable.numpy(), root_rank))


def check_same_variables(variables, owner="the model"):
    """Raise on every process, naming the first difference, if the processes' variables differ in number,
    shape or dtype (different code or data on some process), rather than exchanging mismatched buffers."""
    transport = communicator()
    mine = [(str(getattr(v, "path", v.name)), tuple(v.shape), str(v.dtype)) for v in variables]
    everyone = transport.allgather_object(mine)
    reference = everyone[0]
    for rank, theirs in enumerate(everyone):
        if len(theirs) != len(reference):
            raise ValueError(
                f"DataParallel: {owner} has {len(theirs)} variables on process {rank} but "
                f"{len(reference)} on process 0: every process must build the same model"
            )
        for (name, shape, dtype), (name0, shape0, dtype0) in zip(theirs, reference):
            if (shape, dtype) != (shape0, dtype0):
                raise ValueError(
                    f"DataParallel: variable '{name}' of {owner} has shape {shape} and dtype {dtype} "
                    f"on process {rank}, but '{name0}' has shape {shape0} and dtype {dtype0} on "
                    "process 0: every process must build the same model"
                )


def synchronize_model(model):
    """Under a distribution, broadcast the model's and its optimizer's variables from rank 0 the first time
    they are seen (again whenever the set of variables changes)."""
    if distribution() is None:
        return
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        variables += optimizer.variables
    key = tuple(id(v) for v in variables)
    if _synchronized.get(id(model)) == key:
        return
    check_same_variables(variables, f"model '{model.name}'")
    broadcast_variables(variables)
    _synchronized[id(model)] = key


def synchronized_logs(metrics, logs):
    """`logs` with each metric's result computed over all processes (from the sums of their variables)."""
    if distribution() is None or not logs:
        return logs
    metrics = [m for m in metrics if m.name in logs]
    variables = [v for m in metrics for v in m.variables]
    if not variables:
        return logs
    saved = [v.value for v in variables]
    flat = ops.concatenate([ops.reshape(ops.cast(v, "float64"), (-1,)) for v in variables])
    totals = collective.allreduce(flat, op="sum")
    start = 0
    for variable in variables:
        size = math.prod(variable.shape)
        variable.assign(ops.cast(ops.reshape(totals[start : start + size], tuple(variable.shape)), variable.dtype))
        start += size
    try:
        results = {m.name: m.result() for m in metrics}
    finally:
        for variable, value in zip(variables, saved):
            variable.assign(value)
    return {**logs, **results}


def any_process(flag):
    """Whether `flag` is true on any process (for decisions every process must take together)."""
    if distribution() is None:
        return bool(flag)
    return bool(communicator().allgather_object(bool(flag)).count(True))
