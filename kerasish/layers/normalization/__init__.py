"""Keras's normalization layers."""
