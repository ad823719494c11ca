"""A variable's gradient kept as the matrix product it comes from, so that SGD adds it into the variable (or
its momentum) with one BLAS gemm (`kernels/blas.accumulate_product`): the gradient is never written out and
read back.

Asked with `GradientTape.gradient(..., pending_products=True)` (the trainer's step asks when its optimizer
`accepts_pending_products()`), the backward walk offers the matmul rule `WELCOME` in `needs` for a variable
that one product alone reads (a Dense kernel), and the rule returns `PendingProduct(a, g)` instead of
computing `aᵀ @ g` (both defined beside the rule, in primitives/linalg.py; gemm reads `a` transposed, so no
transpose op is made). The optimizer then either
`queue`s its update or takes the product's `value()`.

Queued updates are done in place at the end of the step (`Step`, which the trainer holds around each
eager step), after everything that can fail, with Ctrl-C held back: a step that raises drops them, so it
leaves every variable as it was (all_or_nothing puts back the storages the step replaced; the in-place
writes never happened). The MLP 784-512-512-10's dynamic step at batch 128: see bench/RESULTS.md.
"""

import threading

import numpy

from .interrupts import DeferredInterrupts
from .kernels import blas
from .primitives.registry import ops

_open = threading.local()  # .queue: the open step's queued updates, on this thread


def queue(variable, product, learning_rate, scale=1.0, then_into=None):
    """Queue `variable ← scale · variable - learning_rate · product` (and then `then_into ← then_into +
    variable`: SGD's momentum, scaled by its factor, then the weight it moves) for the end of the open step;
    whether it was (False, nothing queued: no step is open, or gemm cannot do it on these arrays)."""
    queued = getattr(_open, "queue", None)
    if queued is None:
        return False
    left, right = product.left._data.T, product.right._data  # the product is leftᵀ @ right
    if not blas.suits(variable._data, left, right):
        return False
    if then_into is not None and not _adds_into(then_into._data, variable._data):
        return False
    queued.append((variable, variable._data, left, right, product, -float(learning_rate), float(scale), then_into))
    return True


def _adds_into(target, value):
    return (
        type(target) is type(value)
        and target.shape == value.shape
        and target.dtype == value.dtype
        and target.flags.writeable
        and not numpy.may_share_memory(target, value)
    )


class Step:
    """Around one eager training step: the updates queued inside are done when the block ends without an
    error, and dropped when it raises."""

    __slots__ = ("_outer",)

    def __enter__(self):
        self._outer = getattr(_open, "queue", None)
        _open.queue = []
        return self

    def __exit__(self, kind, error, traceback):
        try:
            queued = _open.queue
        finally:
            _open.queue = self._outer
        if kind is not None or not queued:
            return
        with DeferredInterrupts():
            for variable, storage, left, right, product, alpha, beta, then_into in queued:
                if variable._data is storage:  # as when queued (and checked)
                    blas.accumulate_suited(storage, left, right, alpha, beta)
                else:
                    variable.assign(ops.add(ops.multiply(variable, beta), ops.multiply(product.value(), alpha)))
                if then_into is not None:
                    numpy.add(then_into._data, variable._data, out=then_into._data)
