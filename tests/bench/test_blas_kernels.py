"""bench/blas_kernels.py times each product in a process that loaded the kernel set it names, with the operands
laid out as the steps hand them to BLAS (no timings)."""

import numpy
import pytest

from kerasish.backends.kernels import blas
from tests.bench.scripts import blas_kernels


@pytest.mark.parametrize("core", ["Haswell", "SkylakeX"])
def test_each_process_loads_the_kernels_it_names_and_times_every_product(core):
    if blas.describe() is None:
        pytest.skip("numpy's BLAS is not a bundled scipy-openblas here")
    measured = blas_kernels.measure_in_a_process(core, repeats=1)
    assert measured["kernels"].endswith(f", {core} kernels")
    expected = [f"{workload}: {label}" for workload, products in blas_kernels.PRODUCTS.items() for label in products]
    assert list(measured["products"]) == expected
    assert all(microseconds > 0 for microseconds in measured["products"].values())


@pytest.mark.parametrize("transposed", ["", "a", "b"])
def test_the_operands_have_the_products_shapes_and_a_transposed_one_is_a_view(transposed):
    a, b = blas_kernels.operands(6, 5, 4, transposed, numpy.random.default_rng(0))
    assert a.shape == (6, 5) and b.shape == (5, 4) and a.dtype == b.dtype == numpy.float32
    assert a.flags.c_contiguous is ("a" not in transposed) and a.flags.f_contiguous is ("a" in transposed)
    assert b.flags.c_contiguous is ("b" not in transposed) and b.flags.f_contiguous is ("b" in transposed)
