"""Cases for the collective primitive, in one process (no communicator installed): the allreduce of a
job of one is its input. Jobs of several processes are tested in tests/distribution/."""

from kerasish.backends.primitives.collective import allreduce

from . import Case, randn

CASES = [
    Case("allreduce", lambda x: allreduce(x, op="sum"), [randn(3, 4)], lambda x: x, id="allreduce-sum"),
    Case("allreduce", lambda x: allreduce(x, op="mean"), [randn(2, 3)], lambda x: x, id="allreduce-mean"),
]
