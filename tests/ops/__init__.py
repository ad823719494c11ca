"""Tests of kerasish.ops and its sub-namespaces."""
