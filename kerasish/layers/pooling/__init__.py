"""Keras's pooling layers."""
