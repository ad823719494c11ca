"""kerasish.models: Model (functional or subclassed) and Sequential."""
from kerasish.models.cloning import clone_model
from kerasish.models.functional import Functional
from kerasish.models.model import Model, model_from_json
from kerasish.models.sequential import Sequential
from kerasish.saving.saving_api import load_model

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json"]
