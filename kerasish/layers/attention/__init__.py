"""Keras's attention layers."""
