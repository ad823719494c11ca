"""Readers, writers and converters for the pretrained weight files that exist in the wild."""
