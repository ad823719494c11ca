"""Keras's reshaping layers."""
