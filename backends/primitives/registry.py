"""The op registry: one Primitive per operation, shared by both engines.

A primitive is three functions:
  forward(xp, *arrays, **attrs) -> array      pure array code over numpy or cupy
  vjp(g, inputs, output, needs, **attrs)      gradients of each input, written with `ops` so the same
                                             rule runs on tensors (tape) and symbols (graph) and can be
                                             differentiated again; `needs[i]` says whether input i
                                             wants a gradient (rules may skip work, or return None)
  infer(shapes, dtypes, **attrs) -> (shape, dtype)   static shape rule, None for unknown dims
A primitive with vjp=None has no gradient (comparisons, argmax, ...).

`ops` is the namespace of public operations (kerasish.ops); `export` adds one to it.
"""

import functools
import math

import numpy

from ..dispatch import apply
from ..kernels import blas, sums

PRIMITIVES = {}


class _Ops:
    """Public ops, filled by `export` as the primitive modules load; read late by the vjp rules."""


ops = _Ops()


class Primitive:
    """`saves`: the values the vjp reads (input positions, and "output"); None means all of them. The
    tape keeps the others only as shapes, so their memory goes as soon as nothing else holds them.
    `checks`: the forward is a value check whose errors are the user's own: engines re-raise them with
    their type and message, and constant folding leaves the node to run time.

    Facts the static passes read (they never match names):
    `fusion`: an elementwise link, (numpy ufunc, its arguments over the operands "{0}", "{1}", CUDA
    expression over the same), for elementwise and matmul fusion.
    `neutral`: (value, input positions): x op value = x (value op x = x) for a value at those positions,
    for algebraic simplification; `involution`: op(op(x)) = x; `same_shape_identity`: the result is
    input 0 itself when both have the same shape (the broadcasting helpers).
    `shape_only`: positions of inputs read for their shape alone, so constant folding needs only
    their static shape.
    `fresh`: the forward always returns a new array, never a view of an input (buffer aliasing).
    `recomputes`: (first, second, positions): the op is `second(first(the other inputs, **attrs), the inputs at
    positions)` and its vjp computes `first` again from the same inputs and attrs. Training pays that on
    neither engine: the dynamic one runs the two ops while a tape records (the tape keeps `first`'s result), and
    the static one, which sees both passes, computes `first` once (recomputed_residuals).
    `epilogue`: the forward takes `finish=`, a callable it runs in place on blocks of its result's rows
    (rows, channels last) while they are in the cache; input 1 is a (depth, channels) kernel.
    `channel_affine`: the op is input 0 times a scale plus a shift along the axis its attr `axis` names, and this
    function gives them, `(xp, *other inputs, **attrs) -> (scale, shift)`. (Both for the pass product_epilogues.)"""

    __slots__ = (
        "name",
        "forward",
        "vjp",
        "infer",
        "saves",
        "checks",
        "fusion",
        "neutral",
        "involution",
        "same_shape_identity",
        "shape_only",
        "fresh",
        "recomputes",
        "epilogue",
        "channel_affine",
    )

    def __init__(
        self,
        name,
        forward,
        vjp,
        infer,
        saves=None,
        checks=False,
        fusion=None,
        neutral=None,
        involution=False,
        same_shape_identity=False,
        shape_only=(),
        fresh=False,
        recomputes=None,
        epilogue=False,
        channel_affine=None,
    ):
        self.name, self.forward, self.vjp, self.infer = name, forward, vjp, infer
        self.saves = None if saves is None else frozenset(saves)
        self.checks = checks
        self.fusion, self.neutral, self.involution = fusion, neutral, involution
        self.same_shape_identity, self.shape_only = same_shape_identity, tuple(shape_only)
        self.fresh = fresh or fusion is not None  # a fused link is a ufunc: its result is a new array
        self.recomputes = recomputes
        self.epilogue, self.channel_affine = epilogue, channel_affine

    __call__ = apply  # `dispatch.apply(prim, *inputs, **attrs)`

    def __repr__(self):
        return f"<primitive {self.name}>"


def primitive(name, forward, vjp=None, infer=None, saves=None, checks=False, **facts):
    """Register a Primitive; `facts` are its keyword fields (fusion, neutral, shape_only, fresh, ...)."""
    if name in PRIMITIVES:
        raise ValueError(f"Primitive {name!r} is registered twice")
    if infer is None:
        raise ValueError(f"Primitive {name!r} needs a shape rule (infer)")
    PRIMITIVES[name] = prim = Primitive(name, forward, vjp, infer, saves, checks, **facts)
    return prim


def export(function=None, *, name=None):
    """Make a function a public op: `kerasish.ops.<name>`."""

    def register(fn):
        setattr(ops, name or fn.__name__, fn)
        return fn

    return register(function) if function is not None else register


# ----- shapes and dtypes -------------------------------------------------------------------


def shape_of(x):
    shape = getattr(x, "shape", None)
    return () if shape is None else tuple(shape)


_WEAK = {bool: False, int: 0, float: 0.0, complex: 0j}


def is_bfloat16(dtype):
    """ml_dtypes' bfloat16, whose numpy kind is "V" (the name is read only then: reading it is slow)."""
    return dtype.kind == "V" and dtype.name == "bfloat16"


def dtype_of(x):
    """A dtype, or a python scalar type (a weak type that follows the other operand, NEP 50)."""
    if type(x) in _WEAK:
        return type(x)
    dtype = getattr(x, "dtype", None)
    return numpy.dtype(dtype) if dtype is not None else numpy.asarray(x).dtype


def result_dtype(*dtypes):
    return numpy.result_type(*[_WEAK.get(d, d) for d in dtypes])


def describe(shapes):
    return ", ".join(str(tuple(s)) for s in shapes)


def broadcast_shapes(name, *shapes):
    """numpy broadcasting with None for unknown dims; the error names the op and every shape."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(ndim):
        dims = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(
                f"{name}: shapes {describe(shapes)} cannot be broadcast together "
                f"(axis {axis - ndim}: sizes {sorted(known)})"
            )
        if known:
            result.append(known.pop())
        elif None in dims:
            result.append(None)
        else:
            result.append(1)
    return tuple(result)


def int_argument(name, argument, value):
    """An int argument of op `name` (numpy ints too); anything else (a string, a float) is a TypeError naming
    the op, the argument and the value, where `int()` or a comparison would fail with numpy's or Python's words."""
    if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool):
        return int(value)
    raise TypeError(f"{name}: `{argument}` must be an int, received {value!r} (of type {type(value).__name__})")


def normalize_axis(name, axis, ndim):
    """Axis (int, tuple or None) as a sorted tuple of non-negative ints; a bad axis names the op."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    result = []
    for a in (int_argument(name, "axis", a) for a in axes):
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}: axis {a} is out of bounds for an input of rank {ndim}")
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{name}: repeated axis in {axis}")
    return tuple(sorted(result))


def elementwise_infer(name):
    def infer(shapes, dtypes, **attrs):
        return broadcast_shapes(name, *shapes), result_dtype(*dtypes)

    return infer


def same_as_first(shapes, dtypes, **attrs):
    dtype = dtypes[0]
    return tuple(shapes[0]), (result_dtype(dtype) if dtype in _WEAK else dtype)


# ----- broadcasting, undone once for every op ---------------------------------------------


_MANY_ROWS = 16  # `sum_to` over fewer rows (a bias's gradient) is as fast with `sum` as with BLAS


@functools.lru_cache(maxsize=1024)
def _summed_axes(from_shape, to_shape):
    """The axes a broadcast from `to_shape` to `from_shape` added in front, and those it stretched from 1."""
    extra = len(from_shape) - len(to_shape)
    stretched = tuple(i + extra for i, d in enumerate(to_shape) if d == 1 and from_shape[i + extra] != 1)
    return tuple(range(extra)), stretched


def _sum_to_shape(xp, x, shape):
    leading, stretched = _summed_axes(x.shape, tuple(shape))
    if not leading and not stretched:
        return x
    if not stretched and shape:  # a bias's gradient: the sum drops exactly the leading axes (no reshape)
        rows = x.size // math.prod(shape) if x.size else 0
        if xp is numpy and rows >= _MANY_ROWS and x.dtype in blas.DTYPES and x.flags.c_contiguous:
            return sums.leading_rows(xp, x, rows).reshape(shape)  # (4096, 256): 62 µs against `sum`'s 153
        return x.sum(axis=leading)
    return x.sum(axis=leading + stretched, keepdims=True).reshape(shape)


def _sum_to_infer(shapes, dtypes):
    return tuple(shapes[1]), dtypes[0]


sum_to = primitive(
    "sum_to",
    forward=lambda xp, x, like: _sum_to_shape(xp, x, like.shape),
    vjp=lambda g, inputs, output, needs: (broadcast_like(g, inputs[0]), None),
    infer=_sum_to_infer,
    saves=(),
    same_shape_identity=True,
    shape_only=(1,),
)

broadcast_like = primitive(
    "broadcast_like",
    forward=lambda xp, x, like: xp.broadcast_to(x, like.shape),
    vjp=lambda g, inputs, output, needs: (sum_to(g, inputs[0]), None),
    infer=_sum_to_infer,
    saves=(),
    same_shape_identity=True,
    shape_only=(1,),
)


def unbroadcast(grad, x, index=0):
    """Sum a gradient back to the shape of input `index`, which must broadcast to the gradient's shape."""
    gshape, xshape = shape_of(grad), shape_of(x)
    if gshape == xshape and None not in xshape:
        return grad
    extra = len(gshape) - len(xshape)
    if extra < 0 or any(d is not None and g is not None and d != 1 and d != g for d, g in zip(xshape, gshape[extra:])):
        raise ValueError(
            f"the gradient of input {index} has shape {gshape}, which does not match the input's shape {xshape}"
        )
    return sum_to(grad, x)
