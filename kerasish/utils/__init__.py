"""kerasish.utils: Keras's utilities, plus gradcheck and the engine parity check."""
from kerasish.utils.gradcheck import gradcheck
from kerasish.utils.random_seed import set_random_seed

__all__ = ["gradcheck"]
