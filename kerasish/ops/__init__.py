"""kerasish.ops: Keras 3's `keras.ops` names and signatures, one function per operation.

Every op is defined beside its primitive in kerasish.backends.primitives; this module only shows them
(and `custom_gradient`, which makes a node of the user's own, from kerasish.backends.custom_gradient).
"""

from kerasish.backends.custom_gradient import custom_gradient
from kerasish.backends.primitives import ops as _ops

globals().update({name: op for name, op in vars(_ops).items() if not name.startswith("_")})

from kerasish.ops import core, image, linalg, nn, numpy  # noqa: E402  (Keras's sub-namespaces, after the names they show)
from kerasish.ops.linalg import jvp  # noqa: E402  (forward mode from two reverse passes, not a primitive)
