"""`mean(square(a - b), axis=-1)` (`mean_squared_difference`, the per-sample values of Keras's mean squared
error) as one op, and its gradient as one op (`mean_squared_difference_gradient`).

The forward runs the subtract, square and mean kernels, and the gradient the kernels of their rules in their
order (the mean's spread, square's `g * 2 * (a - b)`, subtract's negation for `b`), so every value is rounded
as the separate ops round it; a tape keeps one record instead of three and plays back one op instead of four.
The gradient's own rule (second order) is written with ops.
"""

from .registry import PRIMITIVES, ops, primitive

_AXIS = {"axis": -1, "keepdims": False}  # the mean's attributes: over the last axis


def _difference(xp, a, b):
    return PRIMITIVES["subtract"].forward(xp, a, b)


def _forward(xp, a, b):
    squared = PRIMITIVES["square"].forward(xp, _difference(xp, a, b))
    return PRIMITIVES["mean"].forward(xp, squared, **_AXIS)


def _infer(shapes, dtypes):
    difference = PRIMITIVES["subtract"].infer(shapes, dtypes)
    squared = PRIMITIVES["square"].infer((difference[0],), (difference[1],))
    return PRIMITIVES["mean"].infer((squared[0],), (squared[1],), **_AXIS)


def _vjp(g, inputs, output, needs):
    a, b = inputs
    return (
        mean_squared_difference_gradient(g, a, b, negate=False) if needs[0] else None,
        mean_squared_difference_gradient(g, a, b, negate=True) if needs[1] else None,
    )


mean_squared_difference = primitive("mean_squared_difference", _forward, _vjp, _infer, saves=(0, 1), fresh=True)


def _gradient_forward(xp, g, a, b, negate):
    """The gradient of `a` (of `b` when `negate`): `spread(g) * 2 * (a - b)`, as the separate rules compute it."""
    difference = _difference(xp, a, b)
    spread = PRIMITIVES["spread_reduced"].forward(xp, g, difference, mean=True, **_AXIS)
    gradient = PRIMITIVES["multiply"].forward(xp, PRIMITIVES["multiply"].forward(xp, spread, 2), difference)
    return PRIMITIVES["negative"].forward(xp, gradient) if negate else gradient


def _gradient_infer(shapes, dtypes, negate):
    difference = PRIMITIVES["subtract"].infer(shapes[1:], dtypes[1:])
    spread = PRIMITIVES["spread_reduced"].infer(
        (shapes[0], difference[0]), (dtypes[0], difference[1]), mean=True, **_AXIS
    )
    return PRIMITIVES["multiply"].infer((spread[0], difference[0]), (spread[1], difference[1]))


def _gradient_vjp(h, inputs, output, needs, negate):
    """The gradient is `s * spread(g) * 2 * (a - b)` with s = -1 when `negate`: linear in `g` (whose part is the
    mean over the last axis, the spread's adjoint) and in `a - b`."""
    g, a, b = inputs
    h = -h if negate else h
    difference = a - b
    d_g = ops.mean(h * 2 * difference, axis=-1) if needs[0] else None
    d_a = h * 2 * PRIMITIVES["spread_reduced"](g, difference, mean=True, **_AXIS) if needs[1] or needs[2] else None
    return d_g, d_a if needs[1] else None, -d_a if needs[2] else None


mean_squared_difference_gradient = primitive(
    "mean_squared_difference_gradient", _gradient_forward, _gradient_vjp, _gradient_infer, fresh=True
)
