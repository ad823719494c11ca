"""The strict cupy stand-in (strict_cupy.py) and the tests that run kerasish's GPU code paths on it."""
