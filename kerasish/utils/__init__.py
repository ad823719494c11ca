"""kerasish.utils: Keras's utilities, plus gradcheck and the engine parity check."""
from kerasish.utils.gradcheck import gradcheck

__all__ = ["gradcheck"]
