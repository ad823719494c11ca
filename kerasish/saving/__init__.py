"""kerasish.saving: model and weight files (`.keras`, `.weights.h5`, legacy `.h5`), as Keras 3 writes them."""
import kerasish.models  # noqa: F401  (first: kerasish.models imports load_model from saving_api)
from kerasish.saving.saving_api import load_model, load_weights, save_model, save_weights

__all__ = ["load_model", "load_weights", "save_model", "save_weights"]
