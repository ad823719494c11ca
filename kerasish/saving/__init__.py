"""kerasish.saving: model and weight files (`.keras`, `.weights.h5`, legacy `.h5`), as Keras 3 writes them."""
import kerasish.models  # noqa: F401  (first: kerasish.models imports load_model from saving_api)
from kerasish.saving.object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                                 get_registered_name, get_registered_object,
                                                 register_keras_serializable)
from kerasish.saving.saving_api import load_model, load_weights, save_model, save_weights

__all__ = ["CustomObjectScope", "custom_object_scope", "get_custom_objects", "get_registered_name",
           "get_registered_object", "load_model", "load_weights", "register_keras_serializable", "save_model",
           "save_weights"]
