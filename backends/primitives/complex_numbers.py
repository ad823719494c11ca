"""Complex tensors as Keras's ops make them: view_as_complex, view_as_real and polar.

A complex value's gradient is carried as JAX carries it, conjugated (`dL/dx - i dL/dy` for `z = x + iy`),
the convention the other ops' rules follow (multiply's `g * y` is right for it): so the gradient of
view_as_complex is view_as_real of the conjugate, and the other way round.
"""

import numpy

from .elementwise import float_dtype
from .registry import dtype_of, export, ops, primitive, shape_of


def _pair_infer(shapes, dtypes, dtype):
    shape = tuple(shapes[0])
    if not shape or shape[-1] not in (2, None):
        raise ValueError(
            f"view_as_complex: Last dimension of input must be size 2 (real and imaginary). Received shape: {shape}"
        )
    return shape[:-1], numpy.dtype(dtype)


def _real_infer(shapes, dtypes):
    dtype = dtypes[0]
    if isinstance(dtype, type) or dtype.kind != "c":
        return tuple(shapes[0]) + (2,), float_dtype(dtype)
    return tuple(shapes[0]) + (2,), numpy.dtype(f"float{dtype.itemsize * 4}")


def _to_real_forward(xp, x):
    if x.dtype.kind != "c":
        return xp.stack([x, xp.zeros_like(x)], axis=-1)
    return xp.stack([x.real, x.imag], axis=-1)


def _to_complex_forward(xp, x, dtype):
    return (x[..., 0] + 1j * x[..., 1]).astype(dtype)


def _conjugate_pair(pair):
    return ops.stack([pair[..., 0], -pair[..., 1]], axis=-1)


_to_complex = primitive(
    "view_as_complex",
    _to_complex_forward,
    lambda g, inputs, out, needs, dtype: (_conjugate_pair(_to_real(g)),),
    _pair_infer,
    saves=(),
)
_to_real = primitive(
    "view_as_real",
    _to_real_forward,
    lambda g, inputs, out, needs: (_to_complex(_conjugate_pair(g), dtype=_complex_dtype(dtype_of(inputs[0]))),),
    _real_infer,
    saves=(0,),
)


def _complex_dtype(dtype):
    return "complex128" if dtype == numpy.dtype("complex128") or dtype == numpy.dtype("float64") else "complex64"


@export
def view_as_complex(x):
    """A real tensor `(..., 2)` of (real, imaginary) parts as a complex64 tensor of shape `x.shape[:-1]`."""
    shape = shape_of(x)
    if not shape or shape[-1] != 2:
        raise ValueError(
            f"view_as_complex: Last dimension of input must be size 2 (real and imaginary). Received shape: {shape}"
        )
    return _to_complex(x, dtype="complex64")


@export
def view_as_real(x):
    """A complex tensor as a real one with a last axis of (real, imaginary) parts."""
    return _to_real(x)


@export
def polar(abs_, angle):
    """The complex numbers `abs_ * (cos(angle) + 1j * sin(angle))` (complex128 from float64, else complex64)."""
    parts = ops.stack([abs_ * ops.cos(angle), abs_ * ops.sin(angle)], axis=-1)
    return _to_complex(parts, dtype=_complex_dtype(dtype_of(parts)))
