"""Bitwise ops as Keras's: bitwise_and/or/xor/not (bitwise_invert), the shifts (each also under numpy's
name left_shift/right_shift), gcd and lcm. Integer (and, for the logical ones, boolean) inputs only; the
result has the promoted integer dtype; none has a gradient."""

import numpy

from .registry import broadcast_shapes, export, primitive, result_dtype


def _integer_dtype(name, dtypes, booleans):
    dtype = numpy.dtype(result_dtype(*dtypes))
    if dtype.kind not in ("iub" if booleans else "iu"):
        kinds = "integer or boolean" if booleans else "integer"
        raise TypeError(
            f"{name}: needs {kinds} inputs, received dtypes {', '.join(getattr(d, '__name__', str(d)) for d in dtypes)}"
        )
    return dtype


def _bitwise(name, function, booleans=True):
    def infer(shapes, dtypes):
        return broadcast_shapes(name, *shapes), _integer_dtype(name, dtypes, booleans)

    return primitive(name, lambda xp, *xs: getattr(xp, function)(*xs), None, infer)


_and = _bitwise("bitwise_and", "bitwise_and")
_or = _bitwise("bitwise_or", "bitwise_or")
_xor = _bitwise("bitwise_xor", "bitwise_xor")
_not = _bitwise("bitwise_not", "invert")
_left_shift = _bitwise("left_shift", "left_shift", booleans=False)
_right_shift = _bitwise("right_shift", "right_shift", booleans=False)
_gcd = _bitwise("gcd", "gcd", booleans=False)
_lcm = _bitwise("lcm", "lcm", booleans=False)


@export
def bitwise_and(x, y):
    return _and(x, y)


@export
def bitwise_or(x, y):
    return _or(x, y)


@export
def bitwise_xor(x, y):
    return _xor(x, y)


@export
def bitwise_not(x):
    return _not(x)


@export
def bitwise_invert(x):
    return _not(x)


@export
def bitwise_left_shift(x, y):
    return _left_shift(x, y)


@export
def left_shift(x, y):
    return _left_shift(x, y)


@export
def bitwise_right_shift(x, y):
    return _right_shift(x, y)


@export
def right_shift(x, y):
    return _right_shift(x, y)


@export
def gcd(x1, x2):
    return _gcd(x1, x2)


@export
def lcm(x1, x2):
    return _lcm(x1, x2)
