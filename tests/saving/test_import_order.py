"""Each module imports first, on its own, in a fresh interpreter: the static import contract
(tests/test_import_contract.py) sees no circle, and this checks Python agrees where the order of
package initialisation matters (models re-exports load_model lazily, saving reads models, every
package registers with the low object registry)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.slow
@pytest.mark.parametrize(
    "module",
    [
        "kerasish.optimizers",
        "kerasish.saving.object_paths",
        "kerasish.saving.legacy_h5_model",
        "kerasish.saving.saving_api",
        "kerasish.models",
        "kerasish.models.model",
        "kerasish.utils.object_serialization",
        "kerasish.layers.rnn.bidirectional",
        "kerasish.utils.summary",
        "kerasish.backends.static.control_flow",
        "kerasish.backends.static.graph",
        "kerasish.backends.trace",
    ],
)
def test_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {module}; from kerasish.saving import load_model; from kerasish.models import save_model",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
