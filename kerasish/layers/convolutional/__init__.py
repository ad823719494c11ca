"""Keras's convolutional layers."""
