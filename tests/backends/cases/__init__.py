"""Test cases for every primitive, shared by the primitive tests, the engine parity tests and the
GPU tests. Each module in this package defines CASES, a list of Case; `all_cases()` gathers them.

A Case calls public ops (so the op's Keras signature is exercised too) on inputs given as float64
numpy arrays (integer/bool arrays for index or mask inputs) and compares with a numpy reference.
"""

import dataclasses
import importlib
import pkgutil
from typing import Callable, Optional

import numpy


@dataclasses.dataclass
class Case:
    primitive: str  # registry name this case covers (one case may cover helpers too)
    op: Callable  # op(*tensors) -> tensor, written with kerasish.ops
    inputs: list  # numpy arrays; float64 ones are differentiated
    reference: Optional[Callable] = None  # reference(*numpy arrays) -> numpy array
    grad: bool = True  # check gradients against finite differences
    id: str = ""
    atol: float = 1e-5  # forward tolerance in float32
    covers: tuple = ()  # other primitives this case exercises (e.g. in its vjp)

    def __post_init__(self):
        self.id = self.id or self.primitive


def rng(seed=0):
    return numpy.random.default_rng(seed)


def randn(*shape, seed=0):
    return rng(seed).standard_normal(shape)


def all_cases():
    cases = []
    for module in pkgutil.iter_modules(__path__):
        cases += importlib.import_module(f"{__name__}.{module.name}").CASES
    return cases
