"""Custom differentiable functions with a user backward (the torch.autograd.Function idea).

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    y = Cube.apply(x)

forward runs without recording; the tapes record one node whose gradient is `backward`. Write
backward with kerasish.ops and it can be differentiated again.
"""
from ..primitives.registry import Primitive, same_as_first
from .tape import RECORDING, no_grad


class Context:
    def __init__(self, needs):
        self.saved_tensors = ()
        self.needs_input_grad = needs

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors


class Function:
    @staticmethod
    def forward(ctx, *inputs):
        raise NotImplementedError("A Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("A Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs):
        ctx = Context(tuple(hasattr(x, "shape") and not isinstance(x, bool) for x in inputs))
        with no_grad():
            output = cls.forward(ctx, *inputs)
        node = Primitive(cls.__name__, None, lambda g, ins, out, needs: _gradients(cls, ctx, g, len(ins)),
                         same_as_first)
        for tape in RECORDING:
            tape._record(node, inputs, output, {})
        return output


def _gradients(cls, ctx, grad, count):
    grads = cls.backward(ctx, grad)
    grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
    if len(grads) != count:
        raise ValueError(f"{cls.__name__}.backward returned {len(grads)} gradients for {count} inputs")
    return grads
