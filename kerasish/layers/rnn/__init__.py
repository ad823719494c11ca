"""Keras's rnn layers."""
