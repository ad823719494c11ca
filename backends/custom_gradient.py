"""Gradients the user writes, on both engines: `kerasish.Function` (torch.autograd.Function style) and
`ops.custom_gradient` (Keras 3).

    class StraightThrough(Function):          @ops.custom_gradient
        @staticmethod                          def straight_through(x):
        def forward(ctx, x):                       def grad_fn(upstream):
            return ops.round(x)                        return upstream
        @staticmethod                              return ops.round(x), grad_fn
        def backward(ctx, grad):
            return grad

Either runs the user's forward as ordinary ops, then adds one node `custom(*inputs, *saved, output)`
whose forward passes `output` through and whose vjp is the user's backward (it gives no gradient to
`output`, so none flows through the forward's own ops). On the dynamic engine the tapes record that
node; on the static engine it is a node of the graph and `gradients` calls the backward while it
builds the gradient graph. A backward written with ops can be differentiated again. The forward's
ops are recorded like any others, so a second derivative sees the values they computed, on both
engines alike.
"""

import functools

from . import dispatch
from .primitives.registry import Primitive, same_as_first
from .symbolic import any_symbolic
from .tree import flatten


def _passed_through(xp, *arrays):
    return arrays[-1]


def _like_output(shapes, dtypes, **attrs):
    return same_as_first(shapes[-1:], dtypes[-1:])


def custom_node(name, inputs, output, vjp, saved=()):
    """`output` as the result of a node of `inputs` whose gradient is `vjp(grad, node_inputs, output,
    needs)`; `saved` values ride along as inputs, so the tape keeps them for the backward (and only them)."""
    first_saved = len(inputs)
    node = Primitive(name, _passed_through, vjp, _like_output, saves=range(first_saved, first_saved + len(saved)))
    return node(*inputs, *saved, output)


class Context:
    """The `ctx` of a Function: `save_for_backward(*tensors)` in forward, `saved_tensors` in backward."""

    def __init__(self, needs):
        self.saved_tensors = ()
        self.needs_input_grad = needs

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors


class Function:
    """Subclass with static `forward(ctx, *inputs)` and `backward(ctx, grad)`; call `apply(*inputs)`.
    backward returns one gradient (or None) per input."""

    @staticmethod
    def forward(ctx, *inputs):
        raise NotImplementedError("A Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("A Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs):
        ctx = Context(tuple(hasattr(x, "shape") and not isinstance(x, bool) for x in inputs))
        output = cls.forward(ctx, *inputs)
        saved = tuple(ctx.saved_tensors)
        riding = [i for i, x in enumerate(saved) if dispatch.is_registered(x)]  # tensors; others stay in ctx
        count = len(inputs)

        def vjp(grad, node_inputs, node_output, needs):
            # the node's own copies of the saved tensors: the tape's, or those of an inlined graph
            values = list(saved)
            for position, i in enumerate(riding):
                values[i] = node_inputs[count + position]
            ctx.saved_tensors = tuple(values)
            ctx.needs_input_grad = tuple(needs[:count])  # which inputs lead to what is differentiated
            grads = cls.backward(ctx, grad)
            grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
            if len(grads) != count:
                raise ValueError(f"{cls.__name__}.backward returned {len(grads)} gradients for {count} inputs")
            return grads + (None,) * (len(riding) + 1)

        return custom_node(cls.__name__, inputs, output, vjp, [saved[i] for i in riding])


def custom_gradient(f):
    """Keras 3's `keras.ops.custom_gradient`: `f(*args)` returns `(output, grad_fn)`; the decorated
    function returns `output`, and its gradient with respect to the (flattened) args is
    `grad_fn(upstream)`, one gradient (or None) per arg, as the JAX and TensorFlow backends call it.
    `output` must be one tensor."""
    name = getattr(f, "__name__", "custom_gradient")

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if any_symbolic((args, kwargs)):
            raise TypeError(
                f"custom_gradient: {name} was called on KerasTensors (a functional model being "
                f"built); its grad_fn would keep symbolic values. Call it inside a Layer's call()"
            )
        result = f(*args, **kwargs)
        if not isinstance(result, (list, tuple)) or len(result) != 2 or not callable(result[1]):
            raise TypeError(
                f"custom_gradient: {name} must return a pair (output, grad_fn), got {type(result).__name__}"
            )
        output, grad_fn = result
        if not dispatch.is_registered(output):
            raise TypeError(
                f"custom_gradient: {name} must return one tensor as its output, got "
                f"{type(output).__name__} (several outputs are not supported)"
            )
        inputs = flatten(list(args))

        def vjp(grad, node_inputs, node_output, needs):
            grads = grad_fn(grad)
            grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
            if len(grads) != len(inputs):
                raise ValueError(f"grad_fn returned {len(grads)} gradients for {len(inputs)} arguments")
            return grads + (None,)

        return custom_node(name, inputs, output, vjp)

    return decorated
