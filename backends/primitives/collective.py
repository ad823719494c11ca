"""Collective operations across the processes of a distributed job, as primitives: the static plan
contains them as nodes and the tape records them, so a training step traced once replays its allreduce.

`allreduce(x, op="sum"|"mean")` combines `x` over every process and gives each the result. The
transport is the communicator that `kerasish.distribution.initialize` installs (MPI through mpi4py, or
NCCL through cupy): an object with `allreduce(array, op) -> array` (a new array of the input's shape,
dtype and device) and `size`. With none installed (one process) the allreduce is the identity.
The gradient of an allreduce is the same allreduce of the incoming gradient: every process's output
depends on every process's input with weight 1 (sum) or 1/size (mean).
"""

from .registry import primitive, same_as_first

OPERATIONS = ("sum", "mean")
_installed = [None]


def install_communicator(communicator):
    """Make `communicator` the transport of every collective primitive (None: one process)."""
    _installed[0] = communicator


def communicator():
    """The installed communicator, or None when the job is one process."""
    return _installed[0]


def _allreduce_forward(xp, x, op):
    if op not in OPERATIONS:
        raise ValueError(f"allreduce: `op` must be one of {OPERATIONS}, received {op!r}")
    transport = _installed[0]
    if transport is None:
        return xp.array(x, copy=True)
    return transport.allreduce(xp.ascontiguousarray(x), op)


def _allreduce_vjp(g, inputs, output, needs, op):
    return (allreduce(g, op=op),)


def _allreduce_infer(shapes, dtypes, op):
    if op not in OPERATIONS:
        raise ValueError(f"allreduce: `op` must be one of {OPERATIONS}, received {op!r}")
    return same_as_first(shapes, dtypes)


allreduce = primitive("allreduce", _allreduce_forward, _allreduce_vjp, _allreduce_infer, saves=())
