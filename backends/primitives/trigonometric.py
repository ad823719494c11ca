"""Trigonometric and hyperbolic ops as Keras's: tan, sinh, cosh, their inverses, arctan2, hypot, sinc,
deg2rad and rad2deg (sin, cos and tanh sit with the other elementwise ops). Integer inputs compute in
floatx, as Keras's float ops do."""

import math

from .elementwise import binary, float_result, float_unary
from .floating_point import float_forward
from .registry import export, ops

_tan = float_unary(
    "tan", lambda xp, x: xp.tan(x), lambda g, inputs, out, needs: (g * (1 + out * out),), False, ("output",)
)
_sinh = float_unary("sinh", lambda xp, x: xp.sinh(x), lambda g, inputs, out, needs: (g * ops.cosh(inputs[0]),), False)
_cosh = float_unary("cosh", lambda xp, x: xp.cosh(x), lambda g, inputs, out, needs: (g * ops.sinh(inputs[0]),), False)
_arcsin = float_unary(
    "arcsin",
    lambda xp, x: xp.arcsin(x),
    lambda g, inputs, out, needs: (g / ops.sqrt(1 - ops.square(inputs[0])),),
    False,
)
_arccos = float_unary(
    "arccos",
    lambda xp, x: xp.arccos(x),
    lambda g, inputs, out, needs: (-g / ops.sqrt(1 - ops.square(inputs[0])),),
    False,
)
_arctan = float_unary(
    "arctan", lambda xp, x: xp.arctan(x), lambda g, inputs, out, needs: (g / (1 + ops.square(inputs[0])),), False
)
_arcsinh = float_unary(
    "arcsinh",
    lambda xp, x: xp.arcsinh(x),
    lambda g, inputs, out, needs: (g / ops.sqrt(ops.square(inputs[0]) + 1),),
    False,
)
_arccosh = float_unary(
    "arccosh",
    lambda xp, x: xp.arccosh(x),
    lambda g, inputs, out, needs: (g / ops.sqrt(ops.square(inputs[0]) - 1),),
    False,
)
_arctanh = float_unary(
    "arctanh", lambda xp, x: xp.arctanh(x), lambda g, inputs, out, needs: (g / (1 - ops.square(inputs[0])),), False
)


def _sinc_vjp(g, inputs, out, needs):
    """d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x, and 0 at x = 0."""
    x = inputs[0]
    zero = ops.equal(x, 0)
    safe = ops.where(zero, 1.0, x)
    return (ops.where(zero, 0.0, g * (ops.cos(math.pi * x) - out) / safe),)


_sinc = float_unary("sinc", lambda xp, x: xp.sinc(x), _sinc_vjp, False)


def _arctan2_vjp(g, inputs, out, needs):
    y, x = inputs
    radius = ops.square(x) + ops.square(y)
    return (g * x / radius if needs[0] else None, -g * y / radius if needs[1] else None)


_arctan2 = binary("arctan2", None, _arctan2_vjp, float_result, forward=float_forward("arctan2"), public=False)
_hypot = binary(
    "hypot",
    None,
    lambda g, inputs, out, needs: (
        g * inputs[0] / out if needs[0] else None,
        g * inputs[1] / out if needs[1] else None,
    ),
    float_result,
    forward=float_forward("hypot"),
    public=False,
)


@export
def tan(x):
    return _tan(x)


@export
def sinh(x):
    return _sinh(x)


@export
def cosh(x):
    return _cosh(x)


@export
def arcsin(x):
    return _arcsin(x)


@export
def arccos(x):
    return _arccos(x)


@export
def arctan(x):
    return _arctan(x)


@export
def arcsinh(x):
    return _arcsinh(x)


@export
def arccosh(x):
    return _arccosh(x)


@export
def arctanh(x):
    return _arctanh(x)


@export
def sinc(x):
    return _sinc(x)


@export
def arctan2(x1, x2):
    return _arctan2(x1, x2)


@export
def hypot(x1, x2):
    return _hypot(x1, x2)


@export
def deg2rad(x):
    return ops.multiply(x, math.pi / 180)


@export
def rad2deg(x):
    return ops.multiply(x, 180 / math.pi)
