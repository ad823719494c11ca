"""kerasish.utils: Keras's utilities, plus gradcheck and the engine parity check."""
from kerasish.utils.dataset_utils import split_dataset
from kerasish.utils.engine_parity import check_engines_agree
from kerasish.utils.gradcheck import gradcheck
from kerasish.utils.plot_model import model_to_dot, plot_model
from kerasish.utils.file_utils import get_file
from kerasish.utils.image_utils import img_to_array, load_img, save_img
from kerasish.utils.numerical_utils import normalize, to_categorical
from kerasish.utils.progbar import Progbar
from kerasish.utils.py_dataset import PyDataset
from kerasish.utils.random_seed import set_random_seed
from kerasish.utils.sequence_utils import pad_sequences

__all__ = ["gradcheck"]
