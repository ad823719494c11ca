"""The static-graph engine (define-then-run, like TF1/Theano): placeholders, symbolic gradients,
compiled functions with updates, optimisation passes, control flow, save/load and pictures."""

from . import engine
from .function import Function, function
from .gradients import gradients
from .graph import Graph, Symbol, constant, default_graph, placeholder, variable
from .serialize import load, save

__all__ = [
    "engine",
    "Function",
    "function",
    "gradients",
    "Graph",
    "Symbol",
    "constant",
    "default_graph",
    "load",
    "placeholder",
    "save",
    "variable",
]
