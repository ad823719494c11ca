"""kerasish.ops.core: the names of Keras 3's `keras.src.ops.core` (control flow, scatter and slice updates,
conversions), each the same function as at `kerasish.ops` top level, as in Keras."""

from kerasish.backends.custom_gradient import custom_gradient
from kerasish.backends.primitives import ops as _ops

_NAMES = (
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "dtype",
    "fori_loop",
    "is_tensor",
    "map",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
    "vectorized_map",
    "while_loop",
)

globals().update({name: getattr(_ops, name) for name in _NAMES})

__all__ = [*_NAMES, "custom_gradient"]
