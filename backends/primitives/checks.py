"""Value checks that run inside graphs: `check_range(x, low, high, message, error)` passes `x` through
unchanged and raises `error(message)` when a value lies outside [low, high) (ints, or tuples of one
bound per position along the last axis: the coordinates of scatter).

Ops whose inputs must hold valid values (labels of sparse cross-entropy, indices of take) insert the
check, so the dynamic engine raises at the op and the static engine raises when the plan runs, with
the same exception type and message. `message` is formatted at run time with `value` (the first bad
value) and `shape` (the checked input's shape). Its gradient is the identity.

On numpy the check reads its flag at once. On cupy the flag (and the first bad value) stays on the device
while a `deferred()` block is open (the static engine opens one per call): the flags are read together,
one host sync per step, when the block closes; outside such a block (eager ops) the flag is read at the
op. The value is taken when the check runs, so later steps that reuse the input's buffer cannot change
the message.
"""

import threading

import numpy

from .. import device
from .registry import primitive, same_as_first

ERRORS = {"ValueError": ValueError, "IndexError": IndexError}
_open = threading.local()  # .blocks: one list of (flag, value, shape, attrs) per open deferred block, per thread


def _error(value, shape, low, high, message, error):
    return ERRORS[error](message.format(value=value, shape=shape, low=low, high=high))


_UNSIGNED = {size: numpy.dtype(f"u{size}") for size in (1, 2, 4, 8)}  # by itemsize


def _inside(x, low, high):
    """Whether every value of the host array `x` lies in [low, high) (int bounds): two reductions and no
    temporaries, written as "inside" so that NaN fails; one for integers from 0, read as unsigned integers (a
    negative one then reads as 2 ** (bits - 1) or more, outside when `high` is at most that: labels, indices)."""
    if low == 0 and x.dtype.kind in "iu" and high <= 1 << (8 * x.dtype.itemsize - 1):
        return x.view(_UNSIGNED[x.dtype.itemsize]).max() < high
    return x.min() >= low and x.max() < high


def _forward(xp, x, low, high, message, error):
    per_position = type(low) is tuple  # one bound per position along the last axis
    lower, upper = (xp.asarray(low), xp.asarray(high)) if per_position else (low, high)
    if xp is numpy:
        if x.size and not (((x >= lower) & (x < upper)).all() if per_position else _inside(x, low, high)):
            bad = (~((x >= lower) & (x < upper))).ravel()
            raise _error(x.ravel()[bad.argmax()], tuple(x.shape), low, high, message, error)
        return x
    bad = (~((x >= lower) & (x < upper))).ravel()
    if not bad.size:
        return x
    first = xp.argmax(bad)  # the first bad element, if any: its flag and value stay on the device
    flag, value = bad[first], x.ravel()[first]
    blocks = getattr(_open, "blocks", None)
    if blocks:
        blocks[-1].append((flag, value, tuple(x.shape), (low, high, message, error)))
    elif flag.item():  # an eager op reads its flag at once: an explicit host transfer
        raise _error(value.item(), tuple(x.shape), low, high, message, error)
    return x


class deferred:  # noqa: N801 - a context manager, named as contextlib's are
    """Collect the device flags of the checks run inside (in this thread); read them all at once on
    leaving. (A class, not a generator: it wraps every static call.)"""

    __slots__ = ()

    def __enter__(self):
        blocks = getattr(_open, "blocks", None)
        if blocks is None:
            blocks = _open.blocks = []
        blocks.append([])
        return self

    def __exit__(self, kind, error, traceback):
        checks = _open.blocks.pop()
        if kind is not None or not checks:
            return
        xp = device.get_array_module(checks[0][0])
        if xp.stack([flag for flag, *_ in checks]).any().item():  # the one host sync
            for position, (flag, value, shape, attrs) in enumerate(checks):
                if flag.item():
                    error = _error(value.item(), shape, *attrs)
                    error.deferred_check = (position, len(checks))  # the static engine names the check's node
                    raise error


check_range = primitive(
    "check_range", _forward, lambda g, inputs, output, needs, **attrs: (g,), same_as_first, saves=(), checks=True
)
