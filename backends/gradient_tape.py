"""kerasish.GradientTape: the engine-neutral tape a user writes custom loops with.

On dynamic Tensors it is the dynamic engine's tape. When the target is a static Symbol (inside
`kerasish.function` on the static engine, or in a hand-built graph) `gradient()` returns the
symbolic gradients of the graph instead, from the graph engine's registration in `dispatch.GRADIENTS`.
"""

from . import dispatch
from .dispatch import is_symbolic
from .dynamic.tape import GradientTape as DynamicTape
from .dynamic.tensor import Tensor
from .primitives.registry import ops
from .tree import flatten, flatten_with_spec, unflatten


class GradientTape(DynamicTape):
    """`GradientTape(persistent=False, watch_accessed_variables=True)`, as tf.GradientTape."""

    def watch(self, tensor):
        values = tensor if isinstance(tensor, (list, tuple)) else [tensor]
        super().watch([x for x in values if not is_symbolic(x)])

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none", pending_products=False):
        """`pending_products` (the dynamic tape's; a static gradient is always computed): see the dynamic tape."""
        if type(target) is Tensor or not any([is_symbolic(t) for t in flatten(target)]):
            return super().gradient(target, sources, output_gradients, unconnected_gradients, pending_products)
        targets = flatten(target)
        if self._records is None:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients; use GradientTape(persistent=True) to call gradient() again"
            )
        gradients = dispatch.GRADIENTS["static"]
        flat_sources, spec = flatten_with_spec(sources)
        with self.stop_recording(), targets[0].graph.as_default():
            seeds = flatten(output_gradients) if output_gradients is not None else [ops.ones_like(t) for t in targets]
            results = gradients(targets, flat_sources, grad_ys=seeds, unconnected_gradients=unconnected_gradients)
        if not self.persistent:
            self._records = self._watched = None
        return unflatten(spec, results)


__all__ = ["GradientTape"]
