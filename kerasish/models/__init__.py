"""kerasish.models: Model (functional or subclassed) and Sequential."""
from kerasish.models.functional import Functional
from kerasish.models.model import Model
from kerasish.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
