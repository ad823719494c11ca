"""The dynamic (define-by-run) engine: eager Tensors recorded on GradientTapes."""

from . import engine
from .tape import GradientTape, no_grad
from .tensor import Tensor

__all__ = ["engine", "GradientTape", "no_grad", "Tensor"]
