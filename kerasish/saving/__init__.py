"""kerasish.saving: model and weight files."""
