"""The parts of complex numbers as Keras's: real, imag, conj/conjugate, angle and isreal. On real tensors real and
conj are the identity, imag is zero, angle is 0 or pi and isreal is true everywhere.

Gradients follow JAX's linear rules: real's is the gradient itself, imag's is -1j times it (none for a real
input, whose imaginary part is a constant), conj's is its conjugate; angle's is -1j times it over z on a complex
input (the conjugated gradient of atan2(y, x)) and none on a real one, where it is piecewise constant; isreal has
none.
"""

import numpy

from .. import config
from .elementwise import unary
from .registry import dtype_of, export, ops, result_dtype


def _is_complex(x):
    return numpy.dtype(result_dtype(dtype_of(x))).kind == "c"


def _real_dtype(shapes, dtypes):
    dtype = numpy.dtype(result_dtype(dtypes[0]))
    return tuple(shapes[0]), numpy.dtype(f"float{dtype.itemsize * 4}") if dtype.kind == "c" else dtype


def _angle_infer(shapes, dtypes):
    dtype = numpy.dtype(result_dtype(dtypes[0]))
    if dtype.kind == "c":
        return _real_dtype(shapes, dtypes)
    return tuple(shapes[0]), dtype if dtype.kind == "f" else numpy.dtype(config.floatx())


def _angle_forward(xp, x):
    if x.dtype.kind not in "fc":
        x = x.astype(config.floatx())
    return xp.angle(x)


def _imag_vjp(g, inputs, out, needs):
    return (ops.multiply(ops.cast(g, dtype_of(inputs[0])), -1j) if _is_complex(inputs[0]) else None,)


def _angle_vjp(g, inputs, out, needs):
    z = inputs[0]
    return (ops.divide(ops.multiply(ops.cast(g, dtype_of(z)), -1j), z) if _is_complex(z) else None,)


def _real_vjp(g, inputs, out, needs):
    return (ops.cast(g, dtype_of(inputs[0])) if _is_complex(inputs[0]) else g,)


_real = unary("real", lambda xp, x: xp.real(x), _real_vjp, _real_dtype, public=False, saves=(0,))
_imag = unary("imag", lambda xp, x: xp.imag(x), _imag_vjp, _real_dtype, public=False, saves=(0,))
_conjugate = unary(
    "conjugate",
    lambda xp, x: xp.conjugate(x),
    lambda g, inputs, out, needs: (ops.conjugate(g),),
    public=False,
    saves=(),
)
_angle = unary("angle", _angle_forward, _angle_vjp, _angle_infer, public=False, saves=(0,))
_isreal = unary(
    "isreal",
    lambda xp, x: xp.isreal(x),
    None,
    lambda shapes, dtypes: (tuple(shapes[0]), numpy.dtype(bool)),
    public=False,
)


@export
def real(x):
    return _real(x)


@export
def imag(x):
    return _imag(x)


@export
def conjugate(x):
    return _conjugate(x)


@export
def conj(x):
    return _conjugate(x)


@export
def angle(x):
    return _angle(x)


@export
def isreal(x):
    return _isreal(x)
