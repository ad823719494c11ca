"""kerasish.models imports load_model from kerasish.saving, the file formats import kerasish.models,
and optimizers/losses import kerasish.saving.object_registry: each must import first on its own."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("module", ["kerasish.optimizers", "kerasish.saving.object_paths",
                                    "kerasish.saving.legacy_h5_model", "kerasish.models"])
def test_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run([sys.executable, "-c", f"import {module}; from kerasish.saving import load_model"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
