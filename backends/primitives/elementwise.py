"""Elementwise primitives: arithmetic, activations, comparisons. Broadcasting follows numpy."""
from .registry import elementwise_infer, export, ops, primitive, same_as_first


def unary(name, forward, vjp=None, infer=same_as_first):
    return export(primitive(name, forward, vjp, infer), name=name)


def binary(name, forward, vjp=None):
    return export(primitive(name, forward, vjp, elementwise_infer(name)), name=name)


def _bool_infer(name):
    base = elementwise_infer(name)

    def infer(shapes, dtypes, **attrs):
        return base(shapes, dtypes)[0], "bool"
    return infer


def comparison(name, forward):
    return export(primitive(name, forward, None, _bool_infer(name)), name=name)


binary("add", lambda xp, a, b: xp.add(a, b),
       lambda g, inputs, out, needs: (g, g))
binary("subtract", lambda xp, a, b: xp.subtract(a, b),
       lambda g, inputs, out, needs: (g, -g if needs[1] else None))
binary("multiply", lambda xp, a, b: xp.multiply(a, b),
       lambda g, inputs, out, needs: (g * inputs[1] if needs[0] else None, g * inputs[0] if needs[1] else None))
binary("divide", lambda xp, a, b: xp.divide(a, b),
       lambda g, inputs, out, needs: (g / inputs[1] if needs[0] else None,
                                      -g * out / inputs[1] if needs[1] else None))
unary("negative", lambda xp, x: xp.negative(x), lambda g, inputs, out, needs: (-g,))
unary("exp", lambda xp, x: xp.exp(x), lambda g, inputs, out, needs: (g * out,))
unary("tanh", lambda xp, x: xp.tanh(x), lambda g, inputs, out, needs: (g * (1 - out * out),))
unary("relu", lambda xp, x: xp.maximum(x, 0), lambda g, inputs, out, needs: (g * ops.greater(out, 0),))

unary("ones_like", lambda xp, x: xp.ones_like(x))
unary("zeros_like", lambda xp, x: xp.zeros_like(x))
comparison("greater", lambda xp, a, b: xp.greater(a, b))
comparison("equal", lambda xp, a, b: xp.equal(a, b))
comparison("not_equal", lambda xp, a, b: xp.not_equal(a, b))
