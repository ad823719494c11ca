"""The op registry. Every module in this package defines primitives; importing the package loads all."""

import importlib
import pkgutil

from .registry import PRIMITIVES, Primitive, export, ops, primitive

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["PRIMITIVES", "Primitive", "export", "ops", "primitive"]
