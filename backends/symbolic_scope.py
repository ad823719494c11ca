"""`keras.SymbolicScope`: the symbolic stage, where ops only work out the shape and dtype of their results.

Keras enters it (with a StatelessScope) to infer a layer's output spec by running `call`. Here, while
one is in effect (it sits in `dispatch.SCOPES`), every op reads its tensor inputs (dynamic Tensors,
Variables, arrays, static Symbols of known rank) as KerasTensors of the same shape and dtype, so the
op runs its shape rule only and returns a KerasTensor: nothing is computed, and a layer called on
real tensors inside the scope returns the spec of its outputs. Assigning such a result to a Variable
checks the shapes and changes nothing. Python numbers stay numbers (weak scalars).
"""

from . import dispatch
from .symbolic import KerasTensor


class SymbolicScope:
    def __enter__(self):
        dispatch.SCOPES.append(self)
        return self

    def __exit__(self, *exc):
        dispatch.SCOPES.remove(self)

    def rewrite(self, inputs):
        return [_spec_of(x) for x in inputs]

    def assign(self, variable, value):
        return False  # a symbolic value is assigned as any KerasTensor is: a shape check


def _spec_of(x):
    if type(x) is KerasTensor or isinstance(x, (bool, int, float, complex, str)):
        return x
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if shape is None or dtype is None:
        return x
    return KerasTensor(shape, dtype)


def get_symbolic_scope():
    """The innermost SymbolicScope in effect, or None."""
    for scope in reversed(dispatch.SCOPES):
        if isinstance(scope, SymbolicScope):
            return scope
    return None


def in_symbolic_scope():
    return get_symbolic_scope() is not None
