"""Keras's preprocessing layers."""
