"""Converters from the layouts of pretrained weight files in the wild to Keras layouts (the safe readers
of those files sit in kerasish.backends.io)."""
