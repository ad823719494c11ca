"""kerasish.utils: Keras's utilities, plus gradcheck and the engine parity check."""
from kerasish.utils.gradcheck import gradcheck
from kerasish.utils.image_utils import img_to_array, load_img, save_img
from kerasish.utils.random_seed import set_random_seed

__all__ = ["gradcheck"]
