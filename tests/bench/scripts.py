"""The bench scripts as modules for the tests. They import each other by bare name, so bench/ is on `sys.path` only
while they load."""

import os
import sys

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "bench")
sys.path.insert(0, BENCH)
try:
    import blas_kernels
    import mlp_products
    import numpy_limits
    import run
    import step_split
    from workloads import RATE, WORKLOADS, data
finally:
    sys.path.remove(BENCH)

__all__ = ["RATE", "WORKLOADS", "blas_kernels", "data", "mlp_products", "numpy_limits", "run", "step_split"]
