"""Every primitive: forward against numpy, gradient against finite differences, float32 kept."""

import numpy
import pytest

from kerasish.backends.dynamic import Tensor, tape
from kerasish.backends.primitives import PRIMITIVES
from kerasish.utils import gradcheck

from .cases import all_cases

CASES = all_cases()


def _float32(array):
    return array.astype(numpy.float32) if array.dtype == numpy.float64 else array


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_forward_matches_numpy_and_keeps_float32(case):
    inputs = [_float32(a) for a in case.inputs]
    output = case.op(*[Tensor(a) for a in inputs])
    if case.reference is not None:
        expected = case.reference(*inputs)
        numpy.testing.assert_allclose(output.numpy(), expected, atol=case.atol, rtol=1e-5)
    if any(a.dtype == numpy.float32 for a in inputs) and output.dtype.kind == "f":
        assert output.dtype == numpy.float32, f"{case.id}: float32 in, {output.dtype} out"


@pytest.mark.parametrize("case", [c for c in CASES if c.grad], ids=[c.id for c in CASES if c.grad])
def test_gradient_matches_finite_differences(case, monkeypatch):
    # Every value a primitive does not declare in `saves` reaches its rule as a zero stand-in, so a rule
    # that reads an undeclared value gives a wrong gradient here.
    monkeypatch.setattr(tape, "LARGE", 0)
    assert gradcheck(case.op, case.inputs)


def test_every_primitive_has_a_case():
    covered = {c.primitive for c in CASES} | {p for c in CASES for p in c.covers}
    missing = sorted(set(PRIMITIVES) - covered)
    assert not missing, f"primitives without a test case: {missing}"
