"""Keras's core layers."""
